// @ts-check
/* global document, window, fetch, Image, setTimeout, clearTimeout, URLSearchParams, getComputedStyle */
// The Gallery's page (apps/gallery/README.md): plain JavaScript, no build. Everything the server
// sends is data (file names come from whoever filled the share): it is only ever set as text.

/**
 * @typedef {{ path: string, name: string, folder: string, size: number, modifiedAt: string }} ImageEntry
 * @typedef {{ path: string, images: ImageEntry[], unreadable: string[], error: string | null }} GrantListing
 * @typedef {{ grants: GrantListing[], truncated: boolean }} Listing
 * @typedef {{ grants: string[], locale: string, timeZone: string }} Init
 */

/** How long each picture of a slideshow stays. */
const SLIDE_MS = 5000;
const TYPES = 'JPEG, PNG, WebP, GIF, AVIF, BMP, SVG';

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const photo = /** @type {HTMLImageElement} */ (byId('photo'));

/** Every picture in grid order, and the tile of each. */
/** @type {ImageEntry[]} */
let images = [];
/** @type {HTMLButtonElement[]} */
let tiles = [];
let selected = 0;
/** The picture shown full screen, or -1 in the grid. */
let shown = -1;
let playing = false;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @type {Intl.DateTimeFormat} */
let dates = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });
/** @type {Intl.NumberFormat} */
let numbers = new Intl.NumberFormat('en-US');
let locale = 'en-US';

/**
 * Tells the server what the person sees (passed on as the app's claims).
 * @param {{ kind: string, path: string, entries?: number }} event
 */
function report(event) {
  fetch('/api/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  }).catch(() => {});
}

/** @param {string} p */
const imageUrl = (p) => `/api/image?${new URLSearchParams({ path: p })}`;

/** @param {number} bytes */
function sizeText(bytes) {
  const units = [
    ['gigabyte', 1e9],
    ['megabyte', 1e6],
    ['kilobyte', 1e3],
  ];
  for (const [unit, size] of units) {
    if (bytes >= Number(size)) {
      const n = bytes / Number(size);
      return new Intl.NumberFormat(locale, {
        style: 'unit',
        unit: String(unit),
        unitDisplay: 'short',
        maximumFractionDigits: n < 10 ? 1 : 0,
      }).format(n);
    }
  }
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'short' }).format(bytes);
}

/** @param {string} iso */
function dateText(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dates.format(d);
}

/**
 * A folder's heading: its path from the top of the share ("Files" for the owner's whole storage).
 * @param {string} folder
 */
function folderTitle(folder) {
  const parts = folder.split('/').slice(2);
  return parts.length === 0 ? 'Files' : parts.join(' › ');
}

/**
 * @param {string} title
 * @param {string} text
 */
function showMessage(title, text) {
  byId('message-title').textContent = title;
  byId('message-text').textContent = text;
  byId('message').hidden = false;
}

/** @param {Listing} listing */
function renderGrid(listing) {
  const collator = new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
  /** @type {Map<string, ImageEntry[]>} */
  const folders = new Map();
  for (const g of listing.grants) {
    for (const img of g.images) {
      const list = folders.get(img.folder) ?? [];
      list.push(img);
      folders.set(img.folder, list);
    }
  }
  const order = [...folders.keys()].sort((a, b) => collator.compare(a, b));
  images = [];
  tiles = [];
  const sections = byId('sections');
  sections.replaceChildren();
  for (const folder of order) {
    const list = /** @type {ImageEntry[]} */ (folders.get(folder)).sort((a, b) => collator.compare(a.name, b.name));
    const section = document.createElement('section');
    section.className = 'folder';
    const heading = document.createElement('h2');
    heading.textContent = folderTitle(folder);
    const grid = document.createElement('div');
    grid.className = 'grid';
    for (const img of list) grid.append(tile(img, images.push(img) - 1));
    section.append(heading, grid);
    sections.append(section);
  }

  const count = images.length;
  byId('count').textContent = count === 1 ? '1 picture' : `${numbers.format(count)} pictures`;
  /** @type {HTMLButtonElement} */ (byId('play')).disabled = count === 0;
  byId('hint').hidden = count === 0;
  const notes = [];
  const denied = listing.grants.filter((g) => g.error !== null).map((g) => folderTitle(g.path));
  const partly = listing.grants.flatMap((g) => g.unreadable).map((p) => folderTitle(p));
  if (count === 0) {
    if (denied.length > 0) {
      showMessage('This folder could not be read', `${denied.join(', ')}: the pictures cannot be shown.`);
    } else {
      showMessage('No pictures here', `This share holds no pictures (${TYPES}).`);
    }
  } else if (denied.length > 0) notes.push(`Could not be read: ${denied.join(', ')}.`);
  if (partly.length > 0) notes.push(`Some folders could not be read: ${partly.slice(0, 5).join(', ')}.`);
  if (listing.truncated) notes.push(`Showing the first ${numbers.format(count)} pictures.`);
  byId('notice').textContent = notes.join(' ');
  byId('notice').hidden = notes.length === 0;
  if (count > 0) select(0);
  // What the grid shows, per shared folder (the owner's reading report starts here).
  for (const g of listing.grants) report({ kind: 'folder-opened', path: g.path, entries: g.images.length });
}

/**
 * @param {ImageEntry} img
 * @param {number} index
 */
function tile(img, index) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'tile';
  button.tabIndex = -1;
  button.dataset.index = String(index);
  const thumb = document.createElement('span');
  thumb.className = 'thumb';
  const pic = document.createElement('img');
  // The browser scales the picture itself; only tiles near the screen are fetched.
  pic.loading = 'lazy';
  pic.decoding = 'async';
  pic.alt = '';
  pic.src = imageUrl(img.path);
  pic.addEventListener('error', () => thumb.replaceChildren('Cannot show this picture'), { once: true });
  thumb.append(pic);
  const name = document.createElement('span');
  name.className = 'tile-name';
  name.textContent = img.name;
  name.title = img.name;
  const date = document.createElement('span');
  date.className = 'tile-date';
  date.textContent = dateText(img.modifiedAt);
  button.append(thumb, name, date);
  button.addEventListener('click', () => open(index));
  tiles.push(button);
  return button;
}

/** @param {number} index */
function select(index) {
  if (tiles.length === 0) return;
  selected = Math.max(0, Math.min(tiles.length - 1, index));
  for (const t of tiles) t.classList.toggle('selected', t === tiles[selected]);
  const t = /** @type {HTMLButtonElement} */ (tiles[selected]);
  t.focus({ preventScroll: true });
  t.scrollIntoView({ block: 'nearest' });
}

/** How many tiles a row of the selected tile's grid holds (for ↑ ↓). */
function columns() {
  const t = tiles[selected];
  const grid = t?.parentElement;
  if (!grid) return 1;
  return Math.max(1, getComputedStyle(grid).gridTemplateColumns.split(' ').length);
}

/** @param {number} index */
function open(index) {
  if (images.length === 0) return;
  const next = (index + images.length) % images.length;
  const img = /** @type {ImageEntry} */ (images[next]);
  if (next === shown) return;
  shown = next;
  select(next);
  byId('viewer').hidden = false;
  byId('photo-error').hidden = true;
  photo.hidden = false;
  photo.src = imageUrl(img.path);
  byId('caption-name').textContent = img.name;
  byId('caption-meta').textContent = `${dateText(img.modifiedAt)} · ${sizeText(img.size)}`;
  byId('caption-position').textContent = `${numbers.format(next + 1)} / ${numbers.format(images.length)}`;
  report({ kind: 'file-opened', path: img.path });
  // The next picture is fetched and decoded while this one is looked at.
  const ahead = images[(next + 1) % images.length];
  if (ahead) new Image().src = imageUrl(ahead.path);
  if (playing) schedule();
}

function close() {
  if (shown < 0) return;
  const img = images[shown];
  pause();
  shown = -1;
  byId('viewer').hidden = true;
  photo.removeAttribute('src');
  if (img) report({ kind: 'file-closed', path: img.path });
  select(selected);
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(() => open(shown + 1), SLIDE_MS);
}

function play() {
  if (images.length === 0) return;
  playing = true;
  if (shown < 0) open(selected);
  schedule();
  showState();
}

function pause() {
  playing = false;
  clearTimeout(timer);
  showState();
}

function showState() {
  byId('viewer-play').textContent = playing ? '❚❚ Pause' : '▶ Slideshow';
  byId('caption-state').textContent = playing ? `Slideshow · every ${SLIDE_MS / 1000} s · Space pauses` : '';
}

photo.addEventListener('error', () => {
  if (!photo.getAttribute('src')) return;
  photo.hidden = true;
  const img = images[shown];
  byId('photo-error').textContent = `This picture cannot be shown${img ? `: ${img.name}` : ''}.`;
  byId('photo-error').hidden = false;
});

byId('play').addEventListener('click', play);
byId('viewer-play').addEventListener('click', () => (playing ? pause() : play()));
byId('prev').addEventListener('click', () => open(shown - 1));
byId('next').addEventListener('click', () => open(shown + 1));
byId('close').addEventListener('click', close);

window.addEventListener('keydown', (e) => {
  // A kiosk page never zooms, reloads, finds or prints: the person would be stuck with it.
  if (e.ctrlKey || e.metaKey || e.altKey || e.key === 'F5') {
    e.preventDefault();
    return;
  }
  const viewing = shown >= 0;
  /** @type {Record<string, () => void>} */
  const keys = viewing
    ? {
        ArrowLeft: () => open(shown - 1),
        ArrowRight: () => open(shown + 1),
        PageUp: () => open(shown - 1),
        PageDown: () => open(shown + 1),
        Home: () => open(0),
        End: () => open(images.length - 1),
        Escape: close,
        Backspace: close,
        ' ': () => (playing ? pause() : play()),
        s: () => (playing ? pause() : play()),
        S: () => (playing ? pause() : play()),
      }
    : {
        ArrowLeft: () => select(selected - 1),
        ArrowRight: () => select(selected + 1),
        ArrowUp: () => select(selected - columns()),
        ArrowDown: () => select(selected + columns()),
        Home: () => select(0),
        End: () => select(tiles.length - 1),
        Enter: () => open(selected),
        ' ': () => open(selected),
        s: play,
        S: play,
      };
  const action = keys[e.key];
  if (action) {
    e.preventDefault();
    action();
  }
});

async function start() {
  showState();
  try {
    const init = /** @type {Init} */ (await (await fetch('/api/init')).json());
    locale = init.locale;
    dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: init.timeZone });
    numbers = new Intl.NumberFormat(locale);
    document.documentElement.lang = locale;
    const res = await fetch('/api/images');
    if (!res.ok) throw new Error(String(res.status));
    renderGrid(/** @type {Listing} */ (await res.json()));
  } catch {
    showMessage('The pictures could not be listed', 'Close this window and open the share again.');
  }
}

void start();
