// Receipt photos: made small on the phone, kept in IndexedDB (attachments,
// keyed by the sha256 of the bytes) until the server has them, then sent.
// An attachment: { id: sha256, blob, uploaded: bool, error: text | null }.
// It is kept after upload too (a few hundred KB), so the phone can still show it.
import { get, getAll, getMeta, req, transaction } from './db.js';

// A photo as a JPEG at most 1600 px on its long side; null if not an image.
export async function shrinkPhoto(file) {
  let img;
  try {
    img = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (err) {
    img = await new Promise((ok) => { const i = new Image(); i.onload = () => ok(i); i.onerror = () => ok(null); i.src = URL.createObjectURL(file); });
  }
  const w = img && (img.width || img.naturalWidth);
  if (!w) return null;
  const high = img.height || img.naturalHeight;
  const k = Math.min(1, 1600 / Math.max(w, high));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * k);
  canvas.height = Math.round(high * k);
  canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((ok) => canvas.toBlob(ok, 'image/jpeg', 0.8));
}

export async function sha256(blob) {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const keepReceipt = (id, blob) => transaction(['attachments'], 'readwrite', async (s) => {
  if (!(await get(s.attachments, id))) await req(s.attachments.put({ id, blob, uploaded: false, error: null }));
});
export const receipt = (id) => transaction(['attachments'], 'readonly', (s) => get(s.attachments, id));
const mark = (id, changes) => transaction(['attachments'], 'readwrite', async (s) => {
  const a = await get(s.attachments, id);
  if (a) await req(s.attachments.put({ ...a, ...changes }));
});

// Send every receipt the server does not have yet; each at most once at a
// time (the sync lock). A refusal (too large, not an image) is kept on the
// attachment for the person to see; 409, 429, 5xx and no signal: next sync.
export async function uploadReceipts() {
  const waiting = (await transaction(['attachments'], 'readonly', (s) => getAll(s.attachments))).filter((a) => !a.uploaded);
  for (const a of waiting) {
    const url = `/api/receipts/${a.id}`;
    const head = await fetch(url, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
    if (head.status === 401) return;
    if (head.ok) { await mark(a.id, { uploaded: true, error: null }); continue; }
    const put = await fetch(url, {
      method: 'PUT', credentials: 'same-origin', cache: 'no-store', body: a.blob,
      headers: { 'Content-Type': a.blob.type || 'image/jpeg', Accept: 'application/json', 'X-CSRF-Token': (await getMeta('csrf_token')) || '' },
    });
    if (put.ok) await mark(a.id, { uploaded: true, error: null });
    else if (put.status >= 400 && put.status < 500 && ![401, 403, 409, 429].includes(put.status)) {
      let message = put.status === 413 ? 'This receipt is too large to send. Take the photo again at a lower size.' : 'The office could not accept this receipt. Take the photo again, or ask your coordinator.';
      try { message = (await put.json()).error.message || message; } catch (err) { /* keep the plain words */ }
      await mark(a.id, { error: message });
    }
  }
}
