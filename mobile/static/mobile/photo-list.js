/* Photo fields on the phone: each picked or taken photo is shrunk in the browser (photos.js,
 * at most 1,600 px, its EXIF position and time kept), shown as a preview that can be removed,
 * and carried by the field's first file input, so a plain form submission sends the small
 * copies. Several inputs of one name (camera, album) add to one list. */
(function () {
  "use strict";

  // HEIC (iPhones) is taken by the server though most browsers cannot draw it.
  var SERVER_READS = ["image/heic", "image/heif"];

  // The photo made small, or null for a file that is no photo (a PDF, a text file named .jpg):
  // refused here, at once, rather than refusing the whole report later.
  function checked(file) {
    if (file.type.indexOf("image/") !== 0) return Promise.resolve(null);
    return GGPhotos.shrink(file, { maxSide: 1600 }).then(function (small) {
      if (small !== file || SERVER_READS.indexOf(file.type) !== -1) return small;
      return createImageBitmap(file).then(function () { return file; }, function () { return null; });
    });
  }

  function attach(root) {
    function warn(name, refused) {
      var box = root.querySelector('[data-photo-list="' + name + '"]');
      var note = box && box.parentNode.querySelector('[data-photo-refused="' + name + '"]');
      if (!box) return;
      if (!note) {
        note = document.createElement("p");
        note.className = "error";
        note.dataset.photoRefused = name;
        note.setAttribute("role", "alert");
        box.parentNode.insertBefore(note, box.nextSibling);
      }
      note.textContent = refused ? document.body.dataset.msgNotPhoto : "";
      note.hidden = !refused;
    }

    var lists = {};
    var carriers = {};

    function sync(name) {
      var transfer = new DataTransfer();
      lists[name].forEach(function (file) { transfer.items.add(file); });
      carriers[name].files = transfer.files;
      var box = root.querySelector('[data-photo-list="' + name + '"]');
      if (!box) return;
      box.textContent = "";
      lists[name].forEach(function (file, index) {
        var item = document.createElement("figure");
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = "";
        img.onload = function () { URL.revokeObjectURL(img.src); };
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", root.dataset.msgRemovePhoto || "remove");
        remove.addEventListener("click", function () { lists[name].splice(index, 1); sync(name); });
        item.appendChild(img);
        item.appendChild(remove);
        box.appendChild(item);
      });
    }

    root.querySelectorAll("[data-photo-input]").forEach(function (input) {
      var name = input.dataset.photoInput;
      if (!lists[name]) {
        lists[name] = [];
        carriers[name] = input;
      } else {
        input.removeAttribute("name");  // its photos travel in the first input of the name
      }
      input.addEventListener("change", function () {
        var picked = Array.prototype.slice.call(input.files);
        if (input !== carriers[name]) input.value = "";
        Promise.all(picked.map(checked)).then(function (found) {
          var photos = found.filter(Boolean);
          // The carrier's own pick replaced its files: the list is the memory.
          lists[name] = lists[name].concat(photos);
          sync(name);
          warn(name, photos.length < picked.length);
        });
      });
    });

    return {
      files: function () {
        var all = [];
        Object.keys(lists).forEach(function (name) {
          lists[name].forEach(function (file) { all.push({ name: name, blob: file, filename: file.name }); });
        });
        return all;
      },
      count: function (name) { return (lists[name] || []).length; },
      set: function (name, files) { if (lists[name]) { lists[name] = files.slice(); sync(name); } },
      clear: function () { Object.keys(lists).forEach(function (name) { lists[name] = []; sync(name); }); },
    };
  }

  window.GGPhotoList = { attach: attach };
})();
