// Passkeys (WebAuthn) as a second factor: the JSON <-> WebAuthn conversions (binary values travel
// as base64url), adding one on the security page and using one after the password at sign-in.

import { api, type Schema } from "../app/api";

type Json = Record<string, unknown>;

export type PasskeyInfo = Schema<"PasskeyOutput">;

export function base64urlToBuffer(text: string): ArrayBuffer {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function bufferToBase64url(buffer: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function descriptors(list: unknown): PublicKeyCredentialDescriptor[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.map((item: Json) => ({
    ...(item as object),
    type: "public-key",
    id: base64urlToBuffer(String(item.id)),
  })) as PublicKeyCredentialDescriptor[];
}

/** The server's creation options (JSON) as ``navigator.credentials.create`` takes them. */
export function creationOptionsFromJSON(options: Json): PublicKeyCredentialCreationOptions {
  const user = options.user as Json;
  return {
    ...(options as object),
    challenge: base64urlToBuffer(String(options.challenge)),
    user: { ...(user as object), id: base64urlToBuffer(String(user.id)) },
    excludeCredentials: descriptors(options.excludeCredentials) ?? [],
  } as PublicKeyCredentialCreationOptions;
}

/** The server's request options (JSON) as ``navigator.credentials.get`` takes them. */
export function requestOptionsFromJSON(options: Json): PublicKeyCredentialRequestOptions {
  return {
    ...(options as object),
    challenge: base64urlToBuffer(String(options.challenge)),
    allowCredentials: descriptors(options.allowCredentials) ?? [],
  } as PublicKeyCredentialRequestOptions;
}

/** A new or asserted credential as the JSON the server verifies (binary values in base64url). */
export function credentialToJSON(credential: PublicKeyCredential): Json {
  const response = credential.response;
  const encoded: Json = { clientDataJSON: bufferToBase64url(response.clientDataJSON) };
  if ("attestationObject" in response) {
    const attestation = response as AuthenticatorAttestationResponse;
    encoded.attestationObject = bufferToBase64url(attestation.attestationObject);
    encoded.transports = attestation.getTransports?.() ?? [];
  } else {
    const assertion = response as AuthenticatorAssertionResponse;
    encoded.authenticatorData = bufferToBase64url(assertion.authenticatorData);
    encoded.signature = bufferToBase64url(assertion.signature);
    encoded.userHandle = assertion.userHandle ? bufferToBase64url(assertion.userHandle) : null;
  }
  return {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    response: encoded,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && "PublicKeyCredential" in window && !!navigator.credentials;
}

/** Create a passkey on this device and register it; returns recovery codes if it was the first factor. */
export async function addPasskey(name: string): Promise<string[]> {
  const { public_key } = await api<{ public_key: Json }>("auth/two-factor/passkeys/options/", { method: "POST" });
  const credential = await navigator.credentials.create({ publicKey: creationOptionsFromJSON(public_key) });
  if (!(credential instanceof PublicKeyCredential)) throw new Error("No passkey was created.");
  const result = await api<{ recovery_codes: string[] }>("auth/two-factor/passkeys/", {
    method: "POST",
    body: { name, credential: credentialToJSON(credential) },
  });
  return result.recovery_codes;
}

/** After a right password: sign the server's challenge with one of the person's passkeys. */
export async function signInWithPasskey(): Promise<void> {
  const { public_key } = await api<{ public_key: Json }>("auth/login/passkey/options/", { method: "POST" });
  const credential = await navigator.credentials.get({ publicKey: requestOptionsFromJSON(public_key) });
  if (!(credential instanceof PublicKeyCredential)) throw new Error("No passkey answered.");
  await api("auth/login/passkey/", { method: "POST", body: { credential: credentialToJSON(credential) } });
}
