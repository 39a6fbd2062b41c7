// Two-factor authentication: the enrolment page (/security) and the code prompt of the sign-in form.

import { api, ApiError } from "../app/api";
import { field, formValues, h, showFormErrors } from "../app/dom";
import type { Session } from "../app/session";
import { addPasskey, passkeysSupported, signInWithPasskey, type PasskeyInfo } from "./passkeys";

export interface TwoFactorStatus {
  enabled: boolean;
  required: boolean;
  required_by: string[];
  recovery_codes_left: number;
  factors: string[];
  passkeys: PasskeyInfo[];
  verified: boolean;
}

interface Enrolment {
  secret: string;
  otpauth_url: string;
}

/** Groups a base32 secret in fours, as people type it into an authenticator app. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}

/** Adds the code field to a sign-in form once the server asked for a second factor. */
export function promptForCode(form: HTMLFormElement): void {
  if (form.querySelector("[name=code]")) return;
  const codeField = field("Authentication code or recovery code", "code", {
    autocomplete: "one-time-code",
    inputmode: "text",
    required: true,
  });
  form.querySelector("button[type=submit]")!.before(codeField);
  codeField.querySelector("input")!.focus();
}

/** Beside the code field, once the server said a passkey is possible: sign in with it instead. */
export function offerPasskey(form: HTMLFormElement, factors: unknown, onSignedIn: () => Promise<void>): void {
  if (!Array.isArray(factors) || !factors.includes("webauthn") || !passkeysSupported()) return;
  if (form.querySelector("[data-passkey]")) return;
  const button = h("button", { type: "button", "data-passkey": true, class: "secondary" }, "Use a passkey");
  button.addEventListener("click", async () => {
    try {
      await signInWithPasskey();
      await onSignedIn();
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else if (error instanceof DOMException) showFormErrors(form, "The passkey was not used. Try again or enter a code.");
      else throw error;
    }
  });
  form.querySelector("button[type=submit]")!.after(button);
}

/** After sign-in: where a person whose role requires 2FA but who has none must go first. */
export async function pathAfterSignIn(fallback: string): Promise<string> {
  const status = await api<TwoFactorStatus>("auth/two-factor/");
  return status.required && !status.enabled ? "/security" : fallback;
}

function recoveryCodes(codes: string[]): HTMLElement {
  return h(
    "div",
    { class: "recovery-codes" },
    h("h2", {}, "Your recovery codes"),
    h("p", {}, "Each code signs you in once if you lose your phone. Keep them somewhere safe: they are shown only now."),
    h("ul", { "aria-label": "Recovery codes" }, ...codes.map((code) => h("li", {}, h("code", {}, code)))),
  );
}

function enrolForm(enrolment: Enrolment, onDone: (codes: string[]) => void): HTMLElement {
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "enrol-title" },
    h("p", { role: "alert", class: "form-alert" }),
    field("Code from the app", "code", { autocomplete: "one-time-code", required: true }),
    h("button", { type: "submit" }, "Turn on two-factor authentication"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const result = await api<{ recovery_codes: string[] }>("auth/two-factor/totp/confirm/", {
        method: "POST",
        body: formValues(form),
      });
      onDone(result.recovery_codes);
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return h(
    "div",
    {},
    h("h2", { id: "enrol-title" }, "Set up your authenticator app"),
    h("p", {}, "Add an account in your authenticator app with this key, then type the code it shows."),
    h("p", {}, "Key: ", h("code", { "data-secret": enrolment.secret }, groupSecret(enrolment.secret))),
    h("p", {}, "Or open this link on the phone: ", h("a", { href: enrolment.otpauth_url }, "add to authenticator app")),
    form,
  );
}

function disableForm(after: () => void): HTMLElement {
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "disable-title" },
    h("p", { role: "alert", class: "form-alert" }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: true }),
    field("Authentication code or recovery code", "code", { autocomplete: "one-time-code", required: true }),
    h("button", { type: "submit" }, "Turn off two-factor authentication"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("auth/two-factor/", { method: "DELETE", body: formValues(form) });
      after();
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return h("div", {}, h("h2", { id: "disable-title" }, "Turn it off"), form);
}

function passkeySection(status: TwoFactorStatus, after: (codes?: string[]) => void): HTMLElement {
  const list = h(
    "ul",
    { "aria-label": "Your passkeys", class: "passkeys" },
    ...status.passkeys.map((passkey) => h("li", { "data-passkey-id": String(passkey.id) }, passkeyItem(passkey, after))),
  );
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "passkey-title" },
    h("p", { role: "alert", class: "form-alert" }),
    field("Passkey name", "passkey_name", { autocomplete: "off", value: "Passkey", maxlength: "64" }),
    h("button", { type: "submit" }, "Add a passkey"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      after(await addPasskey(formValues(form).passkey_name || "Passkey"));
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else if (error instanceof DOMException) showFormErrors(form, "No passkey was created.");
      else throw error;
    }
  });
  return h(
    "div",
    {},
    h("h2", { id: "passkey-title" }, "Passkeys"),
    h("p", {}, "A passkey on this device or a security key can be your second factor, after your password."),
    status.passkeys.length ? list : h("p", {}, "No passkeys yet."),
    passkeysSupported() ? form : h("p", {}, "This browser cannot create passkeys."),
  );
}

function passkeyItem(passkey: PasskeyInfo, after: () => void): Node {
  const form = h(
    "form",
    { novalidate: true, "aria-label": `Delete passkey ${passkey.name}`, hidden: true },
    h("p", { role: "alert", class: "form-alert" }),
    field("Password", "password", { type: "password", autocomplete: "current-password", required: true }),
    field("Authentication code or recovery code", "code", { autocomplete: "one-time-code", required: true }),
    h("button", { type: "submit" }, `Delete ${passkey.name}`),
  );
  const show = h("button", { type: "button", "aria-label": `Delete passkey ${passkey.name}` }, "Delete");
  show.addEventListener("click", () => {
    form.hidden = false;
    show.hidden = true;
    form.querySelector<HTMLInputElement>("[name=password]")?.focus();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api(`auth/two-factor/passkeys/${passkey.id}/`, { method: "DELETE", body: formValues(form) });
      after();
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  const used = passkey.last_used_at ? `, last used ${new Date(passkey.last_used_at).toLocaleDateString()}` : "";
  return h("div", {}, h("span", {}, `${passkey.name} (added ${new Date(passkey.created_at).toLocaleDateString()}${used}) `), show, form);
}

export const twoFactorPage = (session: Session) => async (): Promise<Node> => {
  if (!session.profile) {
    session.router().go("/login");
    return h("p", {}, "Redirecting to sign in…");
  }
  const section = h("section", { class: "card narrow" });
  const render = async (codes: string[] = []): Promise<void> => {
    const status = await api<TwoFactorStatus>("auth/two-factor/");
    const state = h(
      "p",
      { "data-two-factor": status.enabled ? "on" : "off" },
      status.enabled
        ? `Two-factor authentication is on. Recovery codes left: ${status.recovery_codes_left}.`
        : "Two-factor authentication is off.",
    );
    const parts: Node[] = [h("h1", {}, "Two-factor authentication"), state];
    if (status.required) {
      parts.push(h("p", {}, `Your role (${status.required_by.join(", ")}) requires it.`));
    }
    if (codes.length) parts.push(recoveryCodes(codes));
    if (!status.factors.includes("totp")) {
      const start = h("button", { type: "button" }, "Set up an authenticator app");
      start.addEventListener("click", async () => {
        const enrolment = await api<Enrolment>("auth/two-factor/totp/", { method: "POST" });
        start.replaceWith(enrolForm(enrolment, (fresh) => void render(fresh)));
        section.querySelector<HTMLInputElement>("[name=code]")?.focus();
      });
      parts.push(start);
    }
    if (status.enabled && !status.required) parts.push(disableForm(() => void render()));
    parts.push(passkeySection(status, (fresh = []) => void render(fresh)));
    section.replaceChildren(...parts);
  };
  await render();
  return section;
};
