import { describe, expect, it } from "vitest";
import {
  base64urlToBuffer,
  bufferToBase64url,
  creationOptionsFromJSON,
  credentialToJSON,
  requestOptionsFromJSON,
} from "./passkeys";

const bytes = (buffer: ArrayBuffer | BufferSource) => Array.from(new Uint8Array(buffer as ArrayBuffer));

describe("base64url", () => {
  it("round-trips bytes that need the URL-safe alphabet and no padding", () => {
    const raw = new Uint8Array([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    const text = bufferToBase64url(raw.buffer);
    expect(text).toBe("-_-_AAE");
    expect(bytes(base64urlToBuffer(text))).toEqual([0xfb, 0xff, 0xbf, 0x00, 0x01]);
  });
  it("encodes only a view's own bytes", () => {
    const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    expect(bufferToBase64url(view)).toBe("AgM");
  });
  it("decodes an empty string to no bytes", () => {
    expect(base64urlToBuffer("").byteLength).toBe(0);
  });
});

describe("options from the server's JSON", () => {
  it("turns the creation options' challenge, user id and excluded ids into bytes", () => {
    const options = creationOptionsFromJSON({
      rp: { id: "localhost", name: "Wellverse" },
      user: { id: "AQID", name: "ada@example.org", displayName: "ada@example.org" },
      challenge: "BAUG",
      pubKeyCredParams: [{ type: "public-key", alg: -7 }],
      excludeCredentials: [{ type: "public-key", id: "Bwg", transports: ["internal"] }],
    });
    expect(bytes(options.challenge)).toEqual([4, 5, 6]);
    expect(bytes(options.user.id)).toEqual([1, 2, 3]);
    expect(options.user.name).toBe("ada@example.org");
    expect(options.rp.id).toBe("localhost");
    expect(bytes(options.excludeCredentials![0].id)).toEqual([7, 8]);
    expect(options.excludeCredentials![0].transports).toEqual(["internal"]);
  });
  it("turns the request options' challenge and allowed ids into bytes", () => {
    const options = requestOptionsFromJSON({
      challenge: "BAUG",
      rpId: "localhost",
      allowCredentials: [{ type: "public-key", id: "Bwg" }],
      userVerification: "preferred",
    });
    expect(bytes(options.challenge)).toEqual([4, 5, 6]);
    expect(bytes(options.allowCredentials![0].id)).toEqual([7, 8]);
    expect(options.rpId).toBe("localhost");
  });
});

describe("credentialToJSON", () => {
  const buffer = (...values: number[]) => new Uint8Array(values).buffer;

  it("encodes a new credential's attestation and transports", () => {
    const json = credentialToJSON({
      id: "Bwg",
      rawId: buffer(7, 8),
      type: "public-key",
      response: { clientDataJSON: buffer(1), attestationObject: buffer(2), getTransports: () => ["usb"] },
      getClientExtensionResults: () => ({}),
    } as unknown as PublicKeyCredential);
    expect(json).toEqual({
      id: "Bwg",
      rawId: "Bwg",
      type: "public-key",
      response: { clientDataJSON: "AQ", attestationObject: "Ag", transports: ["usb"] },
      clientExtensionResults: {},
    });
  });
  it("encodes an assertion's signed data, signature and user handle", () => {
    const json = credentialToJSON({
      id: "Bwg",
      rawId: buffer(7, 8),
      type: "public-key",
      response: { clientDataJSON: buffer(1), authenticatorData: buffer(3), signature: buffer(4), userHandle: null },
      getClientExtensionResults: () => ({}),
    } as unknown as PublicKeyCredential);
    expect(json.response).toEqual({ clientDataJSON: "AQ", authenticatorData: "Aw", signature: "BA", userHandle: null });
  });
});
