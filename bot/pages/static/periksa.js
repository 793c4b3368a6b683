/* e-Surat: the offline verifier /periksa. Reads a letter's QR code ({public_url}/v/{id}#{seal}), checks the
   seal's Ed25519 signature with WebCrypto against the published keys (kept for use offline, see
   periksa-sw.js), and when online asks /v/{id} (JSON) whether the letter is still valid (revocation).
   The seal format is verification/seal.py's ES1: the signed bytes are the UTF-8 text of the seal but its
   last 155 digits. */
(function () {
  "use strict";
  var root = document.getElementById("periksa");
  if (!root) return;
  var KEYS_URL = root.dataset.keys, KEYS_STORE = "esurat-keys";
  var TAIL = 249, SIG = 155, ID_RE = /^[A-Z2-7]{26}$/;
  var $ = function (id) { return document.getElementById(id); };
  var titles = {};
  try { titles = JSON.parse(root.dataset.titles || "{}"); } catch (e) { titles = {}; }
  var state = { keys: null, keysFresh: false, stream: null, timer: null, busy: false };

  function say(el, text) { el.textContent = text; el.hidden = !text; }

  function online() {
    say($("sambungan"), navigator.onLine ? "Tersambung: segel diperiksa di ponsel ini, lalu status surat ditanyakan ke server."
      : "Tanpa koneksi: segel tetap dapat diperiksa dengan kunci tersimpan; status pencabutan tidak dapat diperiksa.");
  }

  /* ---------- keys ---------- */
  function b64url(text) {
    var bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function loadKeys() {
    return fetch(KEYS_URL, { cache: "no-cache" }).then(function (r) {
      if (!r.ok) throw new Error("keys " + r.status);
      state.keysFresh = navigator.onLine && !r.headers.get("X-Esurat-Kept");
      return r.json();
    }).then(function (doc) {
      try { localStorage.setItem(KEYS_STORE, JSON.stringify(doc)); } catch (e) { /* private mode */ }
      return doc;
    }).catch(function () {
      var kept = null;
      try { kept = JSON.parse(localStorage.getItem(KEYS_STORE) || "null"); } catch (e) { kept = null; }
      return kept;
    }).then(function (doc) { state.keys = doc; return doc; });
  }

  function publicKey(kid) {
    var listed = state.keys && Array.isArray(state.keys.keys) ? state.keys.keys : [];
    var jwk = listed.filter(function (k) { return k && k.kid === kid && k.kty === "OKP" && k.crv === "Ed25519"; })[0];
    if (!jwk) return Promise.resolve(null);
    return crypto.subtle.importKey("raw", b64url(jwk.x), { name: "Ed25519" }, false, ["verify"]);
  }

  /* ---------- the QR text and the seal ---------- */
  function parseQr(text) {
    text = (text || "").trim();
    var hash = text.indexOf("#");
    if (hash < 0) return null;
    var path = text.slice(0, hash).replace(/\/+$/, "").split("/");
    var id = path[path.length - 1], seal;
    if (path.length < 2 || path[path.length - 2] !== "v" || !ID_RE.test(id)) return null;
    try { seal = decodeURIComponent(text.slice(hash + 1)); } catch (e) { return null; }
    return { id: id, seal: seal.trim(), host: path.slice(0, -2).join("/") };
  }

  function digits(text, bytes) {
    var n = BigInt(text), out = new Uint8Array(bytes);
    if (n >= (1n << BigInt(8 * bytes))) return null;
    for (var i = bytes - 1; i >= 0; i--) { out[i] = Number(n & 255n); n >>= 8n; }
    return out;
  }

  function day(text) {
    var y = +text.slice(0, 4), m = +text.slice(4, 6), d = +text.slice(6);
    var t = new Date(Date.UTC(y, m - 1, d));
    return y >= 1000 && t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d ? t : null;
  }

  function parseSeal(text) {
    var parts = text.split(":"), tail = parts[parts.length - 1];
    if (text.length > 1024 || parts.length !== 8 || parts[0] !== "ES1") return null;
    if (tail.length !== TAIL || !/^[0-9]+$/.test(tail)) return null;
    if (parts.slice(0, 7).some(function (p) { return !p; })) return null;
    var issued = day(tail.slice(0, 8)), until = tail.slice(8, 16);
    var validUntil = until === "00000000" ? null : day(until);
    if (!issued || (until !== "00000000" && !validUntil)) return null;
    var digest = digits(tail.slice(16, TAIL - SIG), 32), signature = digits(tail.slice(TAIL - SIG), 64);
    if (!digest || !signature) return null;
    return { kid: parts[1], number: parts[2], type: parts[3], kelurahan: parts[4], name: parts[5], nik: parts[6],
      issued: issued, validUntil: validUntil, signature: signature,
      message: new TextEncoder().encode(text.slice(0, text.length - SIG)) };
  }

  /* ---------- showing ---------- */
  var BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
    "November", "Desember"];
  function tanggal(t) { return t.getUTCDate() + " " + BULAN[t.getUTCMonth()] + " " + t.getUTCFullYear(); }
  function words(code) { return code.toLowerCase().replace(/-/g, " ").replace(/\b\w/g, function (c) { return c.toUpperCase(); }); }

  function verdict(word, tone, message) {
    var box = $("vonis");
    box.className = "verdict " + tone;
    $("vonis-kata").textContent = word;
    $("vonis-pesan").textContent = message;
    $("hasil").hidden = false;
    root.dataset.verdict = word;
    if (tone !== "ok" && word !== "DICABUT") $("isi-segel").hidden = true;  // fields no seal vouches for
  }

  function showFields(seal) {
    var list = $("isi-segel"), rows = [["Nomor surat", seal.number], ["Jenis surat", titles[seal.type] || seal.type],
      ["Kelurahan", words(seal.kelurahan)], ["Nama (tersamar)", seal.name], ["NIK (tersamar)", seal.nik],
      ["Tanggal terbit", tanggal(seal.issued)],
      ["Berlaku sampai", seal.validUntil ? tanggal(seal.validUntil) : "tidak dibatasi"], ["Kunci segel", seal.kid]];
    list.textContent = "";
    rows.forEach(function (row) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = row[0]; dd.textContent = row[1];
      list.appendChild(dt); list.appendChild(dd);
    });
    list.hidden = false;
  }

  function reset() {
    ["isi-segel", "luring", "daring"].forEach(function (id) { $(id).hidden = true; });
    delete root.dataset.verdict; delete root.dataset.online;
  }

  /* ---------- checking ---------- */
  function checkOnline(qr) {
    if (!navigator.onLine) {
      say($("daring"), "Tanpa koneksi: status pencabutan surat belum diperiksa. Periksa lagi saat tersambung.");
      root.dataset.online = "offline";
      return Promise.resolve();
    }
    var url = "/v/" + qr.id + "?s=" + encodeURIComponent(qr.seal);
    return fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" }).then(function (r) {
      return r.json().then(function (doc) { return { code: r.status, doc: doc }; });
    }).then(function (answer) {
      var doc = answer.doc || {};
      root.dataset.online = doc.status || String(answer.code);
      if (answer.code === 429) { say($("daring"), doc.message || "Terlalu banyak permintaan; coba lagi sebentar lagi."); return; }
      var tone = doc.status === "ASLI" ? "ok" : "bad";
      if (doc.status !== "ASLI") verdict(doc.status || "TIDAK DIKENAL", tone, doc.message || "");
      var extra = doc.revocation && doc.revocation.reason ? " Alasan: " + doc.revocation.reason + "." : "";
      say($("daring"), "Diperiksa daring juga (arsip e-Surat): " + (doc.status || "?") + ". " + (doc.message || "") + extra);
    }).catch(function () {
      root.dataset.online = "offline";
      say($("daring"), "Server tidak dapat dihubungi: status pencabutan surat belum diperiksa.");
    });
  }

  function check(text) {
    reset();
    if (!window.crypto || !crypto.subtle) {
      verdict("TIDAK DAPAT DIPERIKSA", "warn", "Buka halaman ini melalui alamat https agar segel dapat diperiksa.");
      return Promise.resolve();
    }
    var qr = parseQr(text), seal = qr && parseSeal(qr.seal);
    if (!seal) {
      verdict("BUKAN QR e-SURAT", "warn", "Kode ini bukan kode QR surat e-Surat (tidak memuat segel ES1).");
      return Promise.resolve();
    }
    showFields(seal);
    return (state.keys ? Promise.resolve(state.keys) : loadKeys()).then(function () {
      return publicKey(seal.kid);
    }).then(function (key) {
      if (!key) {
        if (state.keysFresh) {
          verdict("TIDAK VALID", "bad", "Segel dibuat dengan kunci yang tidak diterbitkan e-Surat. Jangan terima surat ini.");
        } else {
          verdict("TIDAK DAPAT DIPERIKSA", "warn",
            "Kunci segel ini belum tersimpan di ponsel ini. Buka halaman ini dengan koneksi lalu periksa lagi.");
        }
        return null;
      }
      return crypto.subtle.verify({ name: "Ed25519" }, key, seal.signature, seal.message);
    }).then(function (ok) {
      if (ok === true) {
        verdict("ASLI", "ok", "Segel sah: ditandatangani dengan kunci resmi e-Surat dan isinya tidak diubah. " +
          "Cocokkan data di bawah dengan surat yang Anda pegang.");
        var expired = seal.validUntil && seal.validUntil < new Date();
        say($("luring"), "Diperiksa di ponsel ini (luring)." + (expired ? " Masa berlaku surat sudah habis." : "") +
          " Pemeriksaan luring tidak dapat mengetahui apakah surat telah dicabut.");
      } else if (ok === false) {
        verdict("TIDAK VALID", "bad", "Segel tidak sah: isinya diubah atau bukan buatan e-Surat. Jangan terima surat ini.");
      }
      return checkOnline(qr);
    }).catch(function () {
      verdict("TIDAK DAPAT DIPERIKSA", "warn", "Peramban ini tidak dapat memeriksa tanda tangan Ed25519.");
    }).then(function () { $("hasil").focus(); });
  }
  window.esuratPeriksa = check;

  /* ---------- reading the QR: camera, photo ---------- */
  var detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
  }
  var canvas = document.createElement("canvas"), ctx = canvas.getContext("2d", { willReadFrequently: true });

  function decodeWith(source, w, h) {
    if (detector) {
      return detector.detect(source).then(function (found) { return found.length ? found[0].rawValue : null; })
        .catch(function () { return decodeCanvas(source, w, h); });
    }
    return Promise.resolve(decodeCanvas(source, w, h));
  }

  function decodeCanvas(source, w, h) {
    var scale = Math.min(1, 1000 / Math.max(w, h));
    canvas.width = Math.round(w * scale); canvas.height = Math.round(h * scale);
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR && window.jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
    return code ? code.data : null;
  }

  function stopCamera() {
    if (state.timer) clearTimeout(state.timer);
    if (state.stream) state.stream.getTracks().forEach(function (t) { t.stop(); });
    state.stream = null; state.timer = null;
    document.querySelector(".viewer").hidden = true;
    $("tutup-kamera").hidden = true; $("buka-kamera").hidden = false;
  }

  function scanFrame() {
    var video = $("kamera");
    if (!state.stream) return;
    if (video.readyState < 2 || state.busy) { state.timer = setTimeout(scanFrame, 150); return; }
    state.busy = true;
    decodeWith(video, video.videoWidth, video.videoHeight).then(function (text) {
      state.busy = false;
      if (text) { stopCamera(); say($("kamera-status"), "Kode QR terbaca."); check(text); } else if (state.stream) {
        state.timer = setTimeout(scanFrame, 200);
      }
    });
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say($("kamera-status"), "Kamera tidak tersedia di peramban ini. Gunakan foto atau tempel teks di bawah.");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      var video = $("kamera");
      state.stream = stream; video.srcObject = stream;
      document.querySelector(".viewer").hidden = false;
      $("tutup-kamera").hidden = false; $("buka-kamera").hidden = true;
      say($("kamera-status"), "Arahkan kamera ke kode QR" + (detector ? "." : " (pembaca QR bawaan halaman)."));
      return video.play().then(scanFrame);
    }).catch(function () {
      say($("kamera-status"), "Kamera tidak dapat dibuka (izin ditolak atau tidak ada kamera). Gunakan foto atau tempel teks.");
    });
  }

  function readPhoto(file) {
    var img = new Image(), url = URL.createObjectURL(file);
    img.onload = function () {
      decodeWith(img, img.naturalWidth, img.naturalHeight).then(function (text) {
        URL.revokeObjectURL(url);
        if (text) check(text); else say($("kamera-status"), "Tidak ada kode QR yang terbaca pada foto itu. Coba foto lebih dekat dan tajam.");
      });
    };
    img.onerror = function () { URL.revokeObjectURL(url); say($("kamera-status"), "Berkas itu bukan gambar yang dapat dibaca."); };
    img.src = url;
  }

  $("buka-kamera").addEventListener("click", startCamera);
  $("tutup-kamera").addEventListener("click", stopCamera);
  $("foto").addEventListener("change", function (e) { if (e.target.files[0]) readPhoto(e.target.files[0]); });
  $("form-foto").addEventListener("submit", function (e) { e.preventDefault(); });
  $("form-teks").addEventListener("submit", function (e) { e.preventDefault(); check($("teks").value); });
  window.addEventListener("online", online);
  window.addEventListener("offline", online);
  online();

  /* ---------- offline: the service worker keeps the page, the scripts and the keys ---------- */
  var ready = loadKeys();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).then(function () {
      return Promise.all([navigator.serviceWorker.ready, ready]);
    }).then(function () { root.dataset.cached = "yes"; }).catch(function () { root.dataset.cached = "no"; });
  }
})();
