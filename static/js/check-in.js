// The check-in page (templates/events/registration/check_in.html): scans tickets' QR codes
// with the camera (the browser's BarcodeDetector where it exists, else the jsQR decoder from
// static/vendor/), sends typed codes without reloading, and keeps scans that could not be
// sent in localStorage, sending them when the connection returns.
(function () {
  "use strict";

  var root = document.querySelector("[data-check-in]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-url");
  var storageKey = root.getAttribute("data-storage-key");
  var codeForm = root.querySelector("[data-code-form]");
  var csrfToken = codeForm.querySelector("[name=csrfmiddlewaretoken]").value;
  var result = root.querySelector("[data-scan-result]");
  var queueStatus = root.querySelector("[data-queue-status]");
  var countEl = root.querySelector("[data-checked-in-count]");
  var RETRY_EVERY_MS = 10000;
  var COUNTS_EVERY_MS = 15000;
  var SAME_CODE_PAUSE_MS = 3000;
  var sending = false;

  // The queue of scans not yet sent ------------------------------------------------------

  function readQueue() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "[]");
    } catch (e) {
      return [];
    }
  }

  function writeQueue(queue) {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(queue));
    } catch (e) {
      // Storage full or refused: the scan is shown as not sent, and can be typed again.
    }
    showQueue(queue);
  }

  function showQueue(queue) {
    queue = queue || readQueue();
    if (queue.length === 0) {
      queueStatus.hidden = true;
      queueStatus.textContent = "";
      return;
    }
    queueStatus.hidden = false;
    queueStatus.textContent = queue.length === 1
      ? "1 scan is waiting to be sent: it goes when the connection returns."
      : queue.length + " scans are waiting to be sent: they go when the connection returns.";
  }

  function enqueue(code, scannedAt) {
    var queue = readQueue();
    queue.push({ code: code, scanned_at: scannedAt });
    writeQueue(queue);
  }

  // Sending ------------------------------------------------------------------------------

  function post(code, scannedAt) {
    var body = new FormData();
    body.append("code", code);
    body.append("scanned_at", scannedAt);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken },
    }).then(function (response) {
      if (response.status >= 500 || response.status === 0) {
        throw new Error("server unavailable");
      }
      if (!response.ok) {
        return { ok: false, status: "refused", message: "The portal refused this scan (" + response.status + "). Log in again, then try." };
      }
      return response.json();
    });
  }

  function show(answer) {
    result.hidden = false;
    result.classList.remove("alert-success", "alert-danger", "alert-warning");
    result.classList.add(answer.ok ? (answer.status === "already" ? "alert-warning" : "alert-success") : "alert-danger");
    var text = answer.message;
    if (answer.name && answer.status !== "checked-in") {
      text = answer.name + ": " + text;
    }
    if (answer.organisation && answer.status === "checked-in") {
      text += " (" + answer.organisation + ")";
    }
    result.textContent = text;
    if (typeof answer.checked_in === "number") {
      countEl.textContent = String(answer.checked_in);
    }
  }

  function checkIn(code) {
    var scannedAt = new Date().toISOString();
    return post(code, scannedAt).then(show, function () {
      enqueue(code, scannedAt);
      show({ ok: false, status: "queued", message: "No connection: the scan of " + code + " is saved on this phone and will be sent." });
    }).then(flush);
  }

  function flush() {
    if (sending) {
      return Promise.resolve();
    }
    var queue = readQueue();
    if (queue.length === 0) {
      showQueue(queue);
      return Promise.resolve();
    }
    sending = true;
    var next = queue[0];
    return post(next.code, next.scanned_at).then(function (answer) {
      if (answer.status === "refused") {
        // Logged out (or the session ended) while offline: keep the scans until logged in.
        sending = false;
        show(answer);
        showQueue();
        return null;
      }
      writeQueue(readQueue().slice(1));
      if (typeof answer.checked_in === "number") {
        countEl.textContent = String(answer.checked_in);
      }
      sending = false;
      return flush();
    }, function () {
      sending = false;
      showQueue();
    });
  }

  codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = codeForm.querySelector("[name=code]");
    var code = input.value.trim();
    if (code) {
      checkIn(code);
      input.value = "";
      input.focus();
    }
  });

  // The counts, live: other phones at the door check people in too.
  function refreshCounts() {
    if (!navigator.onLine) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (counts && typeof counts.checked_in === "number") {
          countEl.textContent = String(counts.checked_in);
        }
      }, function () {});
  }

  window.addEventListener("online", flush);
  window.setInterval(flush, RETRY_EVERY_MS);
  window.setInterval(refreshCounts, COUNTS_EVERY_MS);
  showQueue();
  flush();

  // The camera ---------------------------------------------------------------------------

  var scanner = root.querySelector("[data-scanner]");
  var video = root.querySelector("[data-scan-video]");
  var startButton = root.querySelector("[data-scan-start]");
  var stopButton = root.querySelector("[data-scan-stop]");
  var hasCamera = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  var canDecode = "BarcodeDetector" in window || typeof window.jsQR === "function";
  if (!hasCamera || !canDecode) {
    return;
  }
  root.querySelector("[data-scan-unsupported]").hidden = true;
  scanner.hidden = false;

  var stream = null;
  var timer = null;
  var detector = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var lastCode = "";
  var lastAt = 0;

  function makeDetector() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }, function () {
      return null;
    });
  }

  function decodeFrame() {
    if (!video.videoWidth) {
      return Promise.resolve(null);
    }
    if (detector) {
      return detector.detect(video).then(function (codes) {
        return codes.length ? codes[0].rawValue : null;
      }, function () {
        return null;
      });
    }
    if (typeof window.jsQR !== "function") {
      return Promise.resolve(null);
    }
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : null);
  }

  function tick() {
    decodeFrame().then(function (text) {
      if (!text) {
        return;
      }
      var now = Date.now();
      if (text === lastCode && now - lastAt < SAME_CODE_PAUSE_MS) {
        return;
      }
      lastCode = text;
      lastAt = now;
      checkIn(text);
    });
  }

  function start() {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.hidden = false;
        video.srcObject = media;
        return video.play();
      })
      .then(makeDetector)
      .then(function (made) {
        detector = made;
        timer = window.setInterval(tick, 250);
        startButton.hidden = true;
        stopButton.hidden = false;
        stopButton.focus();
      })
      .catch(function () {
        show({ ok: false, status: "camera", message: "The camera could not start: allow it in the browser, or type the code." });
      });
  }

  function stop() {
    window.clearInterval(timer);
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    stream = null;
    video.hidden = true;
    startButton.hidden = false;
    stopButton.hidden = true;
    startButton.focus();
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
})();
