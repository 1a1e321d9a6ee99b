// Uploads on the documents page: files chosen or dropped go to the API one at a time, each
// with a progress bar and the server's answer. Without this script the form posts the files
// itself. Files over the size limit are refused here before they are sent; the server checks
// every file again, and decides what is a PDF.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function formatSize(bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return (bytes / 1024).toFixed(1) + " KB";
    }
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  // addRow adds a line for one file to the list and returns its parts.
  function addRow(list, file) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = file.name + " (" + formatSize(file.size) + ")";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var status = document.createElement("span");
    status.className = "upload-status";
    status.textContent = "waiting";
    item.append(name, " ", bar, " ", status);
    list.append(item);
    list.hidden = false;
    return { item: item, bar: bar, status: status };
  }

  function finish(row, ok, text) {
    row.bar.value = 100;
    row.status.textContent = text;
    row.item.classList.add(ok ? "upload-ok" : "upload-failed");
  }

  function messageOf(request) {
    try {
      var body = JSON.parse(request.responseText);
      if (body.error && body.error.message) {
        return body.error.message;
      }
    } catch (ignored) {
      // Not JSON: a proxy's page, say.
    }
    return "the upload failed (" + (request.status || "no answer") + ")";
  }

  function send(file, row, done) {
    var data = new FormData();
    data.append("file", file, file.name);
    var request = new XMLHttpRequest();
    request.open("POST", "/api/v1/documents");
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        row.bar.value = Math.round((event.loaded / event.total) * 100);
      }
    });
    request.addEventListener("load", function () {
      if (request.status === 201) {
        finish(row, true, "stored");
      } else if (request.status === 200) {
        finish(row, true, "already kept, stored once");
      } else {
        finish(row, false, messageOf(request));
      }
      done();
    });
    request.addEventListener("error", function () {
      finish(row, false, "the connection broke off");
      done();
    });
    row.status.textContent = "uploading";
    request.send(data);
  }

  // upload sends the files one after the other, then has the list reload.
  function upload(form, files) {
    var list = document.querySelector("[data-upload-list]");
    var sizeMax = Number(form.dataset.sizeMax);
    var queue = [];
    Array.prototype.forEach.call(files, function (file) {
      var row = addRow(list, file);
      if (sizeMax && file.size > sizeMax) {
        finish(row, false, "larger than " + formatSize(sizeMax));
        return;
      }
      queue.push({ file: file, row: row });
    });
    function next() {
      var job = queue.shift();
      if (!job) {
        document.body.dispatchEvent(new Event("documents-changed"));
        return;
      }
      send(job.file, job.row, next);
    }
    next();
  }

  function setUp(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-drop-zone]");
    var hint = form.querySelector("[data-drop-hint]");
    if (hint) {
      hint.hidden = false;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length > 0) {
        upload(form, input.files);
        form.reset();
      }
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("drop-active");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () {
        zone.classList.remove("drop-active");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length > 0) {
        upload(form, event.dataTransfer.files);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-document-upload]").forEach(setUp);
  });
})();
