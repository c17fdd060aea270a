// Photos from the phone's camera: scaled down to at most 1600 px on the long
// side and re-encoded as JPEG before upload (a phone photo of 12 MP is
// 3–6 MB; the server takes ≤ 8 MiB), then posted to
// /api/v1/inspections/photos.
import { uploadPhoto } from "./api.js";

export const MAX_SIDE = 1600;
const QUALITY = 0.85;

// shrink returns file as a JPEG Blob at most MAX_SIDE px on its long side.
export async function shrink(file) {
  const bmp = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_SIDE / Math.max(bmp.width, bmp.height));
  const w = Math.max(1, Math.round(bmp.width * scale)), hgt = Math.max(1, Math.round(bmp.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = hgt;
  canvas.getContext("2d").drawImage(bmp, 0, 0, w, hgt);
  bmp.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("JPEG encoding failed"))), "image/jpeg", QUALITY));
}

// upload shrinks and posts a photo; it resolves to {id, url} (url a local
// preview for the form).
export async function upload(file) {
  const blob = await shrink(file);
  const id = await uploadPhoto(blob);
  return { id, url: URL.createObjectURL(blob), bytes: blob.size };
}
