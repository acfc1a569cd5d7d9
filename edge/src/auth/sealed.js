// Sealed values for cookies: compact JWE (dir + A256GCM, through jose) under a key derived
// from the session secret with HKDF, one key per purpose, so a sign-in transaction cookie can
// never be presented as a session and neither can be read or changed without the secret.
// Anything that does not open (forged, tampered, expired, another purpose) is null.
import { EncryptJWT, jwtDecrypt } from "jose";

const enc = new TextEncoder();
export const MIN_SECRET_BYTES = 32;

/** Longer cookie values are not even decrypted. */
export const SEALED_MAX_BYTES = 3800; // below the 4096-byte cookie limit with name and attributes

async function derivedKey(secret, purpose) {
  const raw = typeof secret === "string" ? enc.encode(secret) : secret;
  if (!(raw instanceof Uint8Array) || raw.length < MIN_SECRET_BYTES) throw new TypeError(`session secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const base = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveBits"]);
  const info = enc.encode(`keyhole-edge ${purpose} v1`);
  const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: enc.encode("keyhole-edge"), info }, base, 256);
  return new Uint8Array(bits);
}

/** sealer(secret, purpose) -> { seal(payload, ttlSeconds) -> string, open(text, { maxAgeSeconds }) -> payload | null }
 *  (maxAgeSeconds: refused when issued longer ago than that, whatever its own exp says) */
export function sealer(secret, purpose) {
  let key = null;
  const keyOnce = () => (key ??= derivedKey(secret, purpose));
  return {
    async seal(payload, ttlSeconds) {
      const now = Math.floor(Date.now() / 1000);
      return new EncryptJWT(payload).setProtectedHeader({ alg: "dir", enc: "A256GCM" })
        .setIssuedAt(now).setExpirationTime(now + ttlSeconds).setAudience(purpose).encrypt(await keyOnce());
    },
    async open(text, { maxAgeSeconds } = {}) {
      if (typeof text !== "string" || text.length === 0 || text.length > SEALED_MAX_BYTES) return null;
      try {
        const { payload } = await jwtDecrypt(text, await keyOnce(), {
          audience: purpose, keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"],
          requiredClaims: ["exp", "iat"], clockTolerance: 0, ...(maxAgeSeconds ? { maxTokenAge: maxAgeSeconds } : {}),
        });
        return payload;
      } catch {
        return null;
      }
    },
  };
}
