// Bytes to base64, the form in which the Python side (Playwright) reads frames from a page.

/** A Uint8Array as base64, in chunks (a spread of millions of arguments would overflow). */
export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
