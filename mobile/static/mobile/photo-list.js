/* Photo fields on the phone: each picked or taken photo is shrunk in the browser (photos.js,
 * at most 1,600 px, its EXIF position and time kept), shown as a preview that can be removed,
 * and carried by the field's first file input, so a plain form submission sends the small
 * copies. Several inputs of one name (camera, album) add to one list. */
(function () {
  "use strict";

  function attach(root) {
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
        Promise.all(picked.map(function (file) { return GGPhotos.shrink(file, { maxSide: 1600 }); })).then(function (small) {
          // The carrier's own pick replaced its files: the list is the memory.
          lists[name] = lists[name].concat(small);
          sync(name);
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
