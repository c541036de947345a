/* Trove share page: renders the items in #trove-data. Loads nothing but the
   item URLs; data is only ever written with textContent. */
(function () {
  'use strict';

  var doc = document;
  var SVGNS = 'http://www.w3.org/2000/svg';
  var KINDS = { image: 'Photo', video: 'Video', audio: 'Audio', document: 'Document', other: 'File' };
  var ICONS = {
    image: ['M4 5h16v14H4z', 'M4 16l4.5-4.5 4 4 2.5-2.5L20 18', 'M15.5 9.5m-1.5 0a1.5 1.5 0 1 0 3 0a1.5 1.5 0 1 0-3 0'],
    video: ['M3 6.5h12v11H3z', 'M15 10.5l6-3.5v10l-6-3.5z'],
    audio: ['M9 18V5l11-2v13', 'M6 18m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0', 'M17 16m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0'],
    document: ['M6 2.5h8.5l4.5 4.5v14.5H6z', 'M14 2.5v5h5', 'M9 12.5h7', 'M9 16.5h7'],
    other: ['M6 2.5h8.5l4.5 4.5v14.5H6z', 'M14 2.5v5h5'],
    play: ['M8 5.5v13l10-6.5z'],
    prev: ['M15 5l-7 7 7 7'],
    next: ['M9 5l7 7-7 7'],
    close: ['M6 6l12 12', 'M18 6L6 18'],
    download: ['M12 4v11', 'M7 10.5l5 5 5-5', 'M5 20h14']
  };

  function $(id) { return doc.getElementById(id); }

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function icon(name) {
    var svg = doc.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', name === 'play' ? 'ico solid' : 'ico');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    (ICONS[name] || ICONS.other).forEach(function (d) {
      var path = doc.createElementNS(SVGNS, 'path');
      path.setAttribute('d', d);
      svg.appendChild(path);
    });
    return svg;
  }

  function str(v) { return typeof v === 'string' && v !== '' ? v : null; }

  function url(v) {
    v = str(v);
    return v && !/^\s*(javascript|vbscript):/i.test(v) ? v : null;
  }

  function num(v) { return typeof v === 'number' && isFinite(v) && v >= 0 ? v : null; }

  /* Bytes in powers of 1000, like Trove's own UI. */
  function bytes(n) {
    var units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    var u = 0;
    while (n >= 1000 && u < units.length - 1) { n /= 1000; u++; }
    return n.toFixed(u === 0 || n >= 100 ? 0 : n >= 10 ? 1 : 2) + ' ' + units[u];
  }

  function when(d, time) {
    return d.toLocaleString(undefined, time ? { dateStyle: time, timeStyle: 'short' } : { dateStyle: 'long' });
  }

  /* A capture time is shown as the wall-clock time it was written with. */
  function taken(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(s || '');
    if (!m) return null;
    var d = new Date(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0));
    if (isNaN(d.getTime())) return null;
    return when(d, m[4] && 'long');
  }

  function item(raw) {
    if (!raw || typeof raw !== 'object' || (typeof raw.id !== 'string' && typeof raw.id !== 'number')) return null;
    var meta = [];
    if (raw.meta && typeof raw.meta === 'object') {
      Object.keys(raw.meta).forEach(function (k) {
        if (str(k) && str(raw.meta[k])) meta.push([k, raw.meta[k]]);
      });
    }
    return {
      id: String(raw.id),
      name: str(raw.name) || 'Untitled',
      kind: Object.prototype.hasOwnProperty.call(KINDS, raw.kind) ? raw.kind : 'other',
      width: num(raw.width),
      height: num(raw.height),
      thumb: url(raw.thumb),
      preview: url(raw.preview),
      media: url(raw.media),
      original: url(raw.original),
      size: num(raw.original_size),
      caption: str(raw.caption),
      taken: str(raw.taken),
      meta: meta
    };
  }

  var body = doc.body;
  var data = null;
  try { data = JSON.parse($('trove-data').textContent); } catch (e) { data = null; }
  if (!data || typeof data !== 'object') {
    $('problem').textContent = 'This share could not be read.';
    $('problem').hidden = false;
    body.dataset.items = '0';
    return;
  }
  var items = (Array.isArray(data.items) ? data.items : []).map(item).filter(Boolean);

  /* Header */

  var title = str(data.title);
  if (title) { $('title').textContent = title; doc.title = title; }
  var message = str(data.message);
  if (message) { $('message').textContent = message; $('message').hidden = false; }
  $('count').textContent = items.length.toLocaleString() + (items.length === 1 ? ' item' : ' items');

  var expiresAt = Date.parse(data.expires);
  var expiredNow = false;
  function checkExpiry() {
    if (isNaN(expiresAt)) return;
    expiredNow = Date.now() >= expiresAt;
    $('expiry').textContent = (expiredNow ? 'Links expired ' : 'Links expire ') + when(new Date(expiresAt), 'medium');
    $('expired').hidden = !expiredNow;
    body.dataset.expired = expiredNow ? 'true' : 'false';
  }
  checkExpiry();
  if (!expiredNow && !isNaN(expiresAt) && expiresAt - Date.now() < 2147483000) {
    setTimeout(checkExpiry, expiresAt - Date.now() + 1000);
  }
  doc.addEventListener('visibilitychange', function () { if (!doc.hidden) checkExpiry(); });

  /* Grid */

  var grid = $('grid');
  var cells = items.map(function (it, i) {
    var a = el('a', 'cell k-' + it.kind);
    a.href = '#item=' + encodeURIComponent(it.id);
    a.dataset.item = it.id;
    a.setAttribute('aria-label', KINDS[it.kind] + ': ' + it.name);
    var ph = el('span', 'ph');
    ph.appendChild(icon(it.kind));
    ph.appendChild(el('span', 'ph-name', it.name));
    a.appendChild(ph);
    if (it.thumb) {
      var img = doc.createElement('img');
      img.alt = '';
      img.loading = 'lazy';
      img.decoding = 'async';
      img.addEventListener('load', function () { img.dataset.state = 'loaded'; });
      img.addEventListener('error', function () {
        img.dataset.state = 'error';
        a.classList.add('broken');
      });
      img.src = it.thumb;
      a.appendChild(img);
      if (it.kind === 'video' || it.kind === 'audio') {
        var badge = el('span', 'badge');
        badge.appendChild(icon(it.kind === 'video' ? 'play' : 'audio'));
        a.appendChild(badge);
      }
    } else {
      a.classList.add('no-thumb');
    }
    a.addEventListener('click', function (e) {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      open(i);
    });
    grid.appendChild(a);
    return a;
  });
  if (!items.length) grid.appendChild(el('p', 'empty', 'This share is empty.'));
  body.dataset.items = String(items.length);

  /* Lightbox */

  var page = $('page');
  var lb = $('lightbox');
  var media = $('lb-media');
  var prevBtn = $('lb-prev');
  var nextBtn = $('lb-next');
  var closeBtn = $('lb-close');
  var download = $('lb-download');
  prevBtn.appendChild(icon('prev'));
  nextBtn.appendChild(icon('next'));
  closeBtn.appendChild(icon('close'));

  var current = -1; /* index shown, -1 when closed */
  var token = 0; /* bumped on every render, so late events of old media are ignored */
  var preloaded = {};

  function still(it) { return it.preview || it.thumb; }

  function stopMedia() {
    Array.prototype.forEach.call(media.querySelectorAll('video, audio'), function (m) {
      m.pause();
      m.removeAttribute('src');
      m.load();
    });
    media.textContent = '';
    media.classList.remove('busy');
  }

  function card(it, extra) {
    var c = el('div', 'lb-card k-' + it.kind);
    if (extra) c.appendChild(extra); else c.appendChild(icon(it.kind));
    return c;
  }

  function failed(it, mine) {
    if (mine !== token) return;
    media.classList.remove('busy');
    var c = media.querySelector('.lb-card');
    if (c && c.querySelector('.lb-error')) return;
    if (!c) media.appendChild(c = card(it));
    c.appendChild(el('p', 'lb-error', expiredNow
      ? 'This share has expired, so this file can no longer be shown.'
      : 'This file could not be loaded.'));
  }

  function watch(m, it, mine) {
    m.addEventListener('timeupdate', function () {
      if (m.currentTime > 0 && m.dataset.state !== 'playing') m.dataset.state = 'playing';
    });
    m.addEventListener('error', function () {
      m.dataset.state = 'error';
      failed(it, mine);
    });
  }

  function image(src, alt, it, mine) {
    var img = doc.createElement('img');
    img.alt = alt;
    img.decoding = 'async';
    img.addEventListener('load', function () {
      img.dataset.state = 'loaded';
      if (mine === token) media.classList.remove('busy');
    });
    img.addEventListener('error', function () {
      img.dataset.state = 'error';
      failed(it, mine);
    });
    img.src = src;
    return img;
  }

  function renderMedia(it) {
    stopMedia();
    var mine = ++token;
    var pic = still(it);
    if (it.kind === 'video' && it.media) {
      var v = doc.createElement('video');
      v.controls = true;
      v.playsInline = true;
      v.setAttribute('playsinline', '');
      v.preload = 'metadata';
      if (pic) v.poster = pic;
      v.defaultMuted = true;
      v.muted = true;
      v.autoplay = true;
      watch(v, it, mine);
      v.src = it.media;
      media.appendChild(v);
      var playing = v.play();
      if (playing && typeof playing.catch === 'function') playing.catch(function () { /* autoplay refused */ });
    } else if (it.kind === 'audio' && it.media) {
      var c = card(it, pic ? image(pic, '', it, -1) : null);
      c.appendChild(el('p', null, it.name));
      var a = doc.createElement('audio');
      a.controls = true;
      a.preload = 'metadata';
      watch(a, it, mine);
      a.src = it.media;
      c.appendChild(a);
      media.appendChild(c);
    } else if (pic) {
      media.classList.add('busy');
      media.appendChild(image(pic, it.name, it, mine));
    } else {
      var none = card(it);
      none.appendChild(el('p', null, it.name));
      none.appendChild(el('p', null, it.original
        ? 'No preview of this file. Use Download to get it.'
        : 'No preview of this file.'));
      media.appendChild(none);
    }
  }

  function renderInfo(it) {
    $('lb-name').textContent = it.name;
    var caption = $('lb-caption');
    caption.textContent = it.caption || '';
    caption.hidden = !it.caption;
    var t = it.taken && taken(it.taken);
    var takenEl = $('lb-taken');
    takenEl.textContent = t ? 'Taken ' + t : '';
    takenEl.hidden = !t;

    var rows = it.meta.slice();
    if (it.size != null && !it.original) rows.unshift(['File size', bytes(it.size)]);
    if (it.width && it.height) rows.unshift(['Dimensions', it.width + ' \u00d7 ' + it.height]);
    var dl = $('lb-meta');
    dl.textContent = '';
    rows.forEach(function (r) {
      dl.appendChild(el('dt', null, r[0]));
      dl.appendChild(el('dd', null, r[1]));
    });
    dl.hidden = !rows.length;

    download.textContent = '';
    if (it.original) {
      download.href = it.original;
      download.download = it.name;
      download.appendChild(icon('download'));
      download.appendChild(doc.createTextNode('Download'));
      if (it.size != null) download.appendChild(el('small', null, bytes(it.size)));
      download.hidden = false;
    } else {
      download.removeAttribute('href');
      download.hidden = true;
    }
  }

  function preload(i) {
    var it = items[i];
    var src = it && still(it);
    if (!src || preloaded[src]) return;
    preloaded[src] = true;
    var img = new Image();
    img.decoding = 'async';
    img.src = src;
  }

  function show(i) {
    var it = items[i];
    var wasOpen = current !== -1;
    current = i;
    if (!wasOpen) {
      lb.hidden = false;
      doc.documentElement.classList.add('lb-open');
      page.setAttribute('inert', '');
      page.setAttribute('aria-hidden', 'true');
    }
    renderMedia(it);
    renderInfo(it);
    $('lb-pos').textContent = (i + 1) + ' / ' + items.length;
    prevBtn.disabled = i === 0;
    nextBtn.disabled = i === items.length - 1;
    prevBtn.hidden = nextBtn.hidden = items.length < 2;
    var active = doc.activeElement;
    if (!wasOpen || !active || active.disabled || !lb.contains(active)) closeBtn.focus();
    preload(i + 1);
    preload(i - 1);
  }

  function hide() {
    if (current === -1) return;
    var cell = cells[current];
    current = -1;
    token++;
    stopMedia();
    lb.hidden = true;
    doc.documentElement.classList.remove('lb-open');
    page.removeAttribute('inert');
    page.removeAttribute('aria-hidden');
    if (cell) {
      cell.focus({ preventScroll: true });
      cell.scrollIntoView({ block: 'nearest' });
    }
  }

  /* The open item lives in the URL hash (#item=ID). Opening from the grid
     pushes a history entry, so Back closes the lightbox; moving between items
     replaces it. */
  function hashOf(i) { return '#item=' + encodeURIComponent(items[i].id); }

  function hashIndex() {
    var m = /^#item=(.+)$/.exec(location.hash);
    if (!m) return -1;
    var id;
    try { id = decodeURIComponent(m[1]); } catch (e) { return -1; }
    for (var i = 0; i < items.length; i++) if (items[i].id === id) return i;
    return -1;
  }

  function setUrl(target, push) {
    try {
      if (push) history.pushState({ troveLightbox: true }, '', target);
      else history.replaceState(history.state, '', target);
      return true;
    } catch (e) {
      return false;
    }
  }

  function open(i) {
    if (i < 0 || i >= items.length || i === current) return;
    if (current !== -1) { go(i); return; }
    if (setUrl(hashOf(i), true)) show(i);
    else location.hash = hashOf(i);
  }

  function go(i) {
    if (i < 0 || i >= items.length || i === current) return;
    if (setUrl(hashOf(i), false)) show(i);
    else location.replace(hashOf(i));
  }

  function close() {
    if (current === -1) return;
    var ours = history.state && history.state.troveLightbox;
    hide();
    if (ours) history.back();
    else if (!setUrl(location.href.split('#')[0], false)) location.replace('#');
  }

  function sync() {
    var i = hashIndex();
    if (i === -1) hide();
    else if (i !== current) show(i);
  }

  window.addEventListener('popstate', sync);
  window.addEventListener('hashchange', sync);

  prevBtn.addEventListener('click', function () { go(current - 1); });
  nextBtn.addEventListener('click', function () { go(current + 1); });
  closeBtn.addEventListener('click', close);
  $('lb-stage').addEventListener('click', function (e) {
    if (e.target === e.currentTarget || e.target === media) close();
  });

  doc.addEventListener('keydown', function (e) {
    if (current === -1 || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    var tag = e.target && e.target.tagName;
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      if (tag === 'VIDEO' || tag === 'AUDIO') return;
      e.preventDefault();
      go(current + (e.key === 'ArrowLeft' ? -1 : 1));
    }
  });

  sync();
})();
