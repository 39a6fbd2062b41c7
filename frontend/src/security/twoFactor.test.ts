import { describe, expect, it } from "vitest";
import { groupSecret } from "./twoFactor";

describe("groupSecret", () => {
  it("groups a base32 key in fours for typing", () => {
    expect(groupSecret("JBSWY3DPEHPK3PXPJBSW")).toBe("JBSW Y3DP EHPK 3PXP JBSW");
  });
  it("keeps a short key whole", () => {
    expect(groupSecret("ABC")).toBe("ABC");
  });
});
