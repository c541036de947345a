/* Trove upload-request page: sends files straight to the bucket with an S3
   presigned POST (the policy and signature are in #trove-data). Each file is
   checked here first; the bucket's policy enforces the same limits. */
(function () {
  'use strict';

  var doc = document;
  var body = doc.body;
  var PARALLEL = 3;
  /* Fields this page sets itself; never taken from the data. */
  var OWN = { key: true, 'content-type': true, file: true };
  /* Types for files the browser gives none (RAW photos, some audio). */
  var EXT = {
    jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
    heic: 'image/heic', heif: 'image/heif', avif: 'image/avif', tif: 'image/tiff', tiff: 'image/tiff',
    dng: 'image/x-adobe-dng', cr2: 'image/x-canon-cr2', cr3: 'image/x-canon-cr3', nef: 'image/x-nikon-nef',
    arw: 'image/x-sony-arw', raf: 'image/x-fuji-raf', orf: 'image/x-olympus-orf', rw2: 'image/x-panasonic-rw2',
    mp4: 'video/mp4', m4v: 'video/x-m4v', mov: 'video/quicktime', mkv: 'video/x-matroska', webm: 'video/webm',
    mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', wav: 'audio/wav', flac: 'audio/flac',
    ogg: 'audio/ogg', opus: 'audio/opus', pdf: 'application/pdf'
  };
  var NAMES = { 'image/': 'photos', 'video/': 'videos', 'audio/': 'audio', 'application/pdf': 'PDF' };

  function $(id) { return doc.getElementById(id); }

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function str(v) { return typeof v === 'string' && v !== '' ? v : null; }

  /* Bytes in powers of 1000, like Trove's own UI. */
  function bytes(n) {
    var units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    var u = 0;
    while (n >= 1000 && u < units.length - 1) { n /= 1000; u++; }
    return n.toFixed(u === 0 || n >= 100 ? 0 : n >= 10 ? 1 : 2) + ' ' + units[u];
  }

  function when(d) {
    try { return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }); } catch (e) { return d.toLocaleString(); }
  }

  function uploadIcon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = doc.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'ico');
    svg.setAttribute('aria-hidden', 'true');
    ['M12 15V4', 'M7 8.5l5-5 5 5', 'M4 14v5.5h16V14'].forEach(function (d) {
      var p = doc.createElementNS(ns, 'path');
      p.setAttribute('d', d);
      svg.appendChild(p);
    });
    return svg;
  }

  function problem(text) {
    $('problem').textContent = text;
    $('problem').hidden = false;
  }

  var data = null;
  try { data = JSON.parse($('trove-data').textContent); } catch (e) { data = null; }
  var action = data && str(data.action);
  body.dataset.sent = '0';
  var drop = $('drop');
  var picker = $('picker');
  var choose = $('choose');
  if (!action || !/^https?:\/\//i.test(action) || !data.policies || typeof data.policies !== 'object') {
    problem('This upload link could not be read.');
    drop.hidden = true;
    return;
  }
  /* One signed policy per accepted type prefix: the server enforces the
     type, so each file is sent with the policy of its own type. */
  var policies = data.policies;
  function fieldsFor(type) {
    var best = null;
    Object.keys(policies).forEach(function (p) {
      if (type.indexOf(p) === 0 && (best === null || p.length > best.length)) best = p;
    });
    return best === null ? null : policies[best];
  }
  var prefix = typeof data.key_prefix === 'string' ? data.key_prefix : '';
  var maxSize = typeof data.max_size === 'number' && data.max_size >= 0 ? data.max_size : null;
  var accept = (Array.isArray(data.accept) ? data.accept : []).filter(str);

  /* Header */

  var title = str(data.title);
  if (title) { $('title').textContent = title; doc.title = title; }
  var message = str(data.message);
  if (message) { $('message').textContent = message; $('message').hidden = false; }
  $('drop-icon').appendChild(uploadIcon());

  var limits = [];
  if (accept.length) {
    var kinds = accept.map(function (p) { return NAMES[p] || p; });
    var list = kinds.length > 1 ? kinds.slice(0, -1).join(', ') + ' or ' + kinds[kinds.length - 1] : kinds[0];
    limits.push(list.charAt(0).toUpperCase() + list.slice(1));
  }
  if (maxSize != null) limits.push('up to ' + bytes(maxSize) + ' per file');
  $('limits').textContent = limits.join(' \u00b7 ');

  /* The file picker's own filter, when every prefix can be written as one. */
  var pickerAccept = accept.map(function (p) {
    if (/^[a-z]+\/$/i.test(p)) return p + '*';
    return /^[a-z]+\/[a-z0-9.+-]+$/i.test(p) ? p : null;
  });
  if (pickerAccept.length && pickerAccept.indexOf(null) === -1) picker.accept = pickerAccept.join(',');

  var expiresAt = Date.parse(data.expires);
  var closed = false;
  function checkExpiry() {
    if (isNaN(expiresAt)) return;
    closed = Date.now() >= expiresAt;
    $('expiry').textContent = (closed ? 'Closed ' : 'Open until ') + when(new Date(expiresAt));
    $('expired').hidden = !closed;
    body.dataset.expired = closed ? 'true' : 'false';
    drop.classList.toggle('closed', closed);
    choose.disabled = closed;
    picker.disabled = closed;
  }
  checkExpiry();
  if (!closed && !isNaN(expiresAt) && expiresAt - Date.now() < 2147483000) {
    setTimeout(checkExpiry, expiresAt - Date.now() + 1000);
  }
  doc.addEventListener('visibilitychange', function () { if (!doc.hidden) checkExpiry(); });

  /* Files */

  var jobs = [];
  var queue = [];
  var active = 0;
  var sent = 0;

  function typeOf(file) {
    if (file.type) return file.type;
    var m = /\.([A-Za-z0-9]+)$/.exec(file.name || '');
    return (m && EXT[m[1].toLowerCase()]) || 'application/octet-stream';
  }

  function hex6() {
    var b = new Uint8Array(3);
    try {
      crypto.getRandomValues(b);
    } catch (e) {
      for (var i = 0; i < 3; i++) b[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(b, function (x) { return (x < 16 ? '0' : '') + x.toString(16); }).join('');
  }

  /* The file name with anything outside [A-Za-z0-9._-] as _, at most 120
     characters (the extension is kept when the name is cut). */
  function safeName(name) {
    var s = String(name || '').replace(/[^A-Za-z0-9._-]/g, '_') || 'file';
    if (s.length > 120) {
      var dot = s.lastIndexOf('.');
      var ext = dot > 0 && s.length - dot <= 16 ? s.slice(dot) : '';
      s = s.slice(0, 120 - ext.length) + ext;
    }
    return s;
  }

  function refusal(file, type) {
    var name = file.name || 'This file';
    if (closed) return name + ' was not sent: this request has expired.';
    if (maxSize != null && file.size > maxSize) {
      return name + ' is too large (' + bytes(file.size) + '); the limit is ' + bytes(maxSize) + ' per file.';
    }
    if (accept.length && !accept.some(function (p) { return type.indexOf(p) === 0; })) {
      return name + ' is not a type this request accepts (' + type + ').';
    }
    return null;
  }

  function set(job, state, text) {
    job.state = state;
    job.row.dataset.state = state;
    job.status.textContent = text;
    job.act.hidden = state === 'sent' || state === 'refused';
    job.act.textContent = state === 'error' ? 'Retry' : 'Cancel';
    job.act.setAttribute('aria-label', job.act.textContent + ' ' + (job.file.name || 'file'));
  }

  function progress(job, fraction) {
    var pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
    job.fill.style.width = pct + '%';
    job.bar.setAttribute('aria-valuenow', String(pct));
  }

  function summary() {
    var counts = { queued: 0, sending: 0, sent: 0, refused: 0, error: 0 };
    jobs.forEach(function (j) { counts[j.state]++; });
    var parts = [sent + ' of ' + jobs.length + ' sent'];
    if (counts.sending + counts.queued) parts.push((counts.sending + counts.queued) + ' to go');
    if (counts.refused) parts.push(counts.refused + ' refused');
    if (counts.error) parts.push(counts.error + ' failed');
    var s = $('summary');
    s.textContent = parts.join(' \u00b7 ');
    s.hidden = !jobs.length;
  }

  function add(file, folder) {
    var row = el('li', 'file');
    var main = el('div', 'f-main');
    main.appendChild(el('span', 'f-name', file.name || 'Unnamed file'));
    if (!folder) main.appendChild(el('span', 'f-size', bytes(file.size)));
    var act = el('button', 'f-act');
    act.type = 'button';
    var bar = el('div', 'bar');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    var fill = el('div', 'bar-fill');
    bar.appendChild(fill);
    var status = el('p', 'f-status');
    row.appendChild(main);
    row.appendChild(act);
    row.appendChild(bar);
    row.appendChild(status);
    $('files').appendChild(row);

    var job = { file: file, type: typeOf(file), key: null, xhr: null, row: row, act: act, bar: bar, fill: fill, status: status };
    jobs.push(job);
    act.addEventListener('click', function () {
      if (job.state === 'sending' && job.xhr) job.xhr.abort();
      else if (job.state === 'queued') {
        queue.splice(queue.indexOf(job), 1);
        set(job, 'error', 'Cancelled.');
      }
      else if (job.state === 'error') enqueue(job);
      summary();
      pump();
    });
    var why = folder ? (file.name || 'This') + ' is a folder; drop the files inside it instead.' : refusal(file, job.type);
    if (why) set(job, 'refused', why);
    else enqueue(job);
  }

  function enqueue(job) {
    progress(job, 0);
    set(job, 'queued', 'Waiting\u2026');
    queue.push(job);
  }

  function addAll(files, folders) {
    files.forEach(function (f, i) { add(f, folders && folders[i]); });
    summary();
    pump();
  }

  function pump() {
    while (active < PARALLEL && queue.length) {
      var job = queue.shift();
      if (job.state !== 'queued') continue;
      if (closed) set(job, 'refused', (job.file.name || 'This file') + ' was not sent: this request has expired.');
      else send(job);
    }
    summary();
  }

  function serverMessage(xhr) {
    var m = /<Message>([\s\S]*?)<\/Message>/.exec(xhr.responseText || '');
    if (!m) return null;
    var text = m[1]
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, '\'')
      .replace(/&amp;/g, '&').trim();
    return text || null;
  }

  function finish(job, xhr, state, text) {
    if (job.xhr !== xhr) return;
    job.xhr = null;
    active--;
    if (state === 'sent') {
      sent++;
      body.dataset.sent = String(sent);
      progress(job, 1);
    }
    set(job, state, text);
    pump();
  }

  function send(job) {
    if (!job.key) job.key = prefix + Date.now() + '-' + hex6() + '-' + safeName(job.file.name);
    var form = new FormData();
    var fields = fieldsFor(job.type) || {};
    Object.keys(fields).forEach(function (k) {
      if (!OWN[k.toLowerCase()]) form.append(k, String(fields[k]));
    });
    form.append('key', job.key);
    form.append('Content-Type', job.type);
    form.append('file', job.file); /* S3 wants the file last */

    var xhr = new XMLHttpRequest();
    job.xhr = xhr;
    active++;
    set(job, 'sending', 'Sending\u2026 0%');
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable || job.xhr !== xhr) return;
      progress(job, e.loaded / e.total);
      job.status.textContent = e.loaded >= e.total
        ? 'Finishing\u2026'
        : 'Sending\u2026 ' + Math.floor((e.loaded / e.total) * 100) + '%';
    });
    xhr.addEventListener('load', function () {
      var code = xhr.status;
      var said = serverMessage(xhr);
      if (code === 200 || code === 201 || code === 204) {
        finish(job, xhr, 'sent', 'Sent');
      } else if (code >= 400 && code < 500) {
        finish(job, xhr, 'refused', said ? 'Refused: ' + said : 'Refused by the server (HTTP ' + code + ').');
      } else {
        finish(job, xhr, 'error', 'Failed (HTTP ' + code + ')' + (said ? ': ' + said : '.') + ' You can retry.');
      }
    });
    xhr.addEventListener('error', function () {
      finish(job, xhr, 'error', 'Could not reach the server. Check the connection and retry.');
    });
    xhr.addEventListener('timeout', function () {
      finish(job, xhr, 'error', 'The server took too long to answer. You can retry.');
    });
    xhr.addEventListener('abort', function () {
      finish(job, xhr, 'error', 'Cancelled.');
    });
    try {
      xhr.open('POST', action);
      xhr.send(form);
    } catch (e) {
      finish(job, xhr, 'error', 'Could not start sending: ' + (e && e.message ? e.message : e));
    }
  }

  /* Picking and dropping */

  choose.addEventListener('click', function (e) {
    e.stopPropagation();
    if (!closed) picker.click();
  });
  drop.addEventListener('click', function (e) {
    if (e.target !== picker && !closed) picker.click();
  });
  picker.addEventListener('change', function () {
    var files = Array.prototype.slice.call(picker.files || []);
    picker.value = '';
    addAll(files);
  });

  function hasFiles(e) {
    var types = e.dataTransfer && e.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, 'Files') !== -1;
  }

  /* Dropping anywhere on the page counts, so a near miss never makes the
     browser open the file in place of this page. */
  var depth = 0;
  doc.addEventListener('dragenter', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    if (!closed) body.classList.add('dragging');
  });
  doc.addEventListener('dragleave', function (e) {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) body.classList.remove('dragging');
  });
  doc.addEventListener('dragover', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = closed ? 'none' : 'copy';
  });
  doc.addEventListener('drop', function (e) {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    body.classList.remove('dragging');
    if (closed) return;
    var dt = e.dataTransfer;
    var files = [];
    var folders = [];
    if (dt.items && dt.items.length) {
      Array.prototype.forEach.call(dt.items, function (it) {
        if (it.kind !== 'file') return;
        var f = it.getAsFile();
        if (!f) return;
        var entry = it.webkitGetAsEntry ? it.webkitGetAsEntry() : null;
        files.push(f);
        folders.push(!!(entry && entry.isDirectory));
      });
    } else {
      files = Array.prototype.slice.call(dt.files || []);
    }
    addAll(files, folders);
  });

  window.addEventListener('beforeunload', function (e) {
    if (active || queue.some(function (j) { return j.state === 'queued'; })) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
})();
