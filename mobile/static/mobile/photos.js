/* Photos from the phone's camera, made small in the browser before they are sent.
 *
 *   GGPhotos.shrink(file, {maxSide: 1600, quality: 0.85}) → Promise of a File
 *
 * A phone's photo is 3–8 MB; sent as it is over a weak signal in an old alley it takes minutes.
 * It is redrawn on a canvas with its longer side at most maxSide and saved as JPEG. The canvas
 * drops the EXIF, where the server reads when and where the photo was taken (and then strips
 * it before anyone sees the photo), so the original's EXIF segment is put back into the new
 * JPEG: marked upright, since the canvas drew it upright, and without its thumbnail, which is
 * still sideways. A file the browser cannot draw (HEIC outside Safari, or not an image at all)
 * is passed on unchanged: the server takes HEIC, and refuses the rest with its own message.
 */
(function () {
  "use strict";

  var DEFAULTS = { maxSide: 1600, quality: 0.85 };
  // A JPEG this small and already within maxSide gains little from being drawn again.
  var SMALL_ENOUGH_BYTES = 1.5 * 1024 * 1024;
  // SOI, then at most APP0 (JFIF) and APP1 (Exif) of at most 64 KB each: where the EXIF is.
  var HEAD_BYTES = 2 + 2 * 65537;

  var ORIENTATION = 0x0112, EXIF_IFD = 0x8769, GPS_IFD = 0x8825, INTEROP_IFD = 0xa005;
  var PIXEL_X = 0xa002, PIXEL_Y = 0xa003;
  // Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, …).
  var TYPE_BYTES = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

  function shrink(file, options) {
    var settings = Object.assign({}, DEFAULTS, options);
    return draw(file).then(function (image) {
      if (!image) return file;
      var width = image.naturalWidth, height = image.naturalHeight;
      var scale = Math.min(1, settings.maxSide / Math.max(width, height));
      var isJpeg = file.type === "image/jpeg" || /\.jpe?g$/i.test(file.name);
      if (isJpeg && scale === 1 && file.size <= SMALL_ENOUGH_BYTES) return file;
      width = Math.round(width * scale);
      height = Math.round(height * scale);
      return Promise.all([encode(image, width, height, settings.quality), readExif(file, width, height)])
        .then(function (done) {
          var jpeg = done[0], exif = done[1];
          if (!jpeg) return file;
          // The EXIF segment goes right after SOI (FF D8), where readers look for it first.
          var parts = exif ? [jpeg.slice(0, 2), exif, jpeg.slice(2)] : [jpeg];
          return new File(parts, jpegName(file.name), { type: "image/jpeg", lastModified: file.lastModified });
        });
    }).catch(function () {
      return file;
    });
  }

  // An <img> shows a photo upright by its EXIF Orientation in every current browser, and a
  // canvas draws it as shown; createImageBitmap's imageOrientation option is not honoured
  // everywhere yet. Resolves with null when the browser cannot decode the file.
  function draw(file) {
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image.naturalWidth ? image : null); };
      image.onerror = function () { URL.revokeObjectURL(url); resolve(null); };
      image.src = url;
    });
  }

  function encode(image, width, height, quality) {
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d");
    // JPEG has no transparency: a PNG's transparent parts would turn black, so lay white first.
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = "high";
    context.drawImage(image, 0, 0, width, height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  function jpegName(name) {
    var stem = (name || "").replace(/\.[^./\\]*$/, "");
    return (stem || "photo") + ".jpg";
  }

  // The original's EXIF segment (FF E1 … "Exif\0\0" TIFF) made fit for the new pixels, or null.
  function readExif(file, width, height) {
    return file.slice(0, HEAD_BYTES).arrayBuffer().then(function (buffer) {
      var segment = findExifSegment(new Uint8Array(buffer));
      return segment && uprightExif(segment, width, height);
    }).catch(function () {
      return null;  // damaged EXIF: the photo still goes, without its time and place
    });
  }

  function findExifSegment(bytes) {
    if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
    var at = 2;
    while (at + 4 <= bytes.length && bytes[at] === 0xff) {
      var marker = bytes[at + 1];
      if (marker === 0xda || marker === 0xd9) return null;  // the image data: no metadata beyond
      var end = at + 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
      if (marker === 0xe1 && end <= bytes.length && String.fromCharCode.apply(null, bytes.subarray(at + 4, at + 10)) === "Exif\0\0") {
        return bytes.slice(at, end);
      }
      at = end;
    }
    return null;
  }

  // Rewrites the segment in place: Orientation 1, the new pixel size, and no IFD1 (the
  // thumbnail); cut short where IFD1 began when nothing else lies beyond it.
  function uprightExif(segment, width, height) {
    var TIFF = 10;  // FF E1, the length (2 bytes), "Exif\0\0"
    var view = new DataView(segment.buffer, TIFF);
    var little = view.getUint16(0) === 0x4949;  // "II": little-endian; "MM": big-endian
    var used = 8;  // the furthest byte that IFD0 and its sub-IFDs use
    var seen = {};

    function walk(ifd) {
      if (seen[ifd]) throw new Error("EXIF that points back into itself");
      seen[ifd] = true;
      var count = view.getUint16(ifd, little);
      used = Math.max(used, ifd + 2 + count * 12 + 4);
      for (var i = 0; i < count; i++) {
        var entry = ifd + 2 + i * 12;
        var tag = view.getUint16(entry, little), type = view.getUint16(entry + 2, little);
        var size = (TYPE_BYTES[type] || 1) * view.getUint32(entry + 4, little);
        if (size > 4) used = Math.max(used, view.getUint32(entry + 8, little) + size);
        if (tag === EXIF_IFD || tag === GPS_IFD || tag === INTEROP_IFD) walk(view.getUint32(entry + 8, little));
        if (tag === ORIENTATION) view.setUint16(entry + 8, 1, little);
        if (tag === PIXEL_X || tag === PIXEL_Y) {
          var pixels = tag === PIXEL_X ? width : height;
          if (type === 3) view.setUint16(entry + 8, pixels, little);
          else view.setUint32(entry + 8, pixels, little);
        }
      }
      return ifd + 2 + count * 12;  // where the offset of the next IFD is kept
    }

    var next = walk(view.getUint32(4, little));
    var thumbnailIfd = view.getUint32(next, little);
    view.setUint32(next, 0, little);
    if (thumbnailIfd >= used && TIFF + thumbnailIfd < segment.length) {
      segment = segment.slice(0, TIFF + thumbnailIfd);
      new DataView(segment.buffer).setUint16(2, segment.length - 2);  // the length excludes FF E1
    }
    return segment;
  }

  window.GGPhotos = { shrink: shrink };
})();
