// Case attachments: files chosen, photographed or dropped are uploaded at once (with a
// progress bar); the server answers with their de-identification reports, which join the
// form. Without JavaScript the files go with the form instead and the same reports come back.
(function () {
  "use strict";

  function setUp(fieldset) {
    var url = fieldset.dataset.uploadUrl;
    var form = fieldset.closest("form");
    var progress = fieldset.querySelector("[data-progress]");
    var target = fieldset.querySelector("[data-attachments]");
    var zone = fieldset.querySelector("[data-dropzone]");
    var inputs = fieldset.querySelectorAll("input[type=file]");

    function send(files) {
      if (!files.length) return;
      var data = new FormData();
      for (var i = 0; i < files.length; i++) data.append("files", files[i]);
      data.append("batch", form.querySelector("input[name=batch]").value);
      data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
      var request = new XMLHttpRequest();
      request.open("POST", url);
      progress.hidden = false;
      progress.value = 0;
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
      });
      request.addEventListener("load", function () {
        progress.hidden = true;
        target.insertAdjacentHTML("beforeend", request.responseText);
      });
      request.addEventListener("error", function () {
        progress.hidden = true;
        target.insertAdjacentHTML("beforeend", '<div class="errors" role="alert"><p>' +
          (document.documentElement.lang === "ko" ? "업로드하지 못했습니다. 다시 시도하세요." :
           "The upload failed; try again.") + "</p></div>");
      });
      request.send(data);
    }

    inputs.forEach(function (input) {
      input.addEventListener("change", function () {
        send(input.files);
        input.value = "";  // already uploaded: do not send them again with the form
      });
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (event) { send(event.dataTransfer.files); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset.attach[data-upload-url]").forEach(setUp);
  });
})();
