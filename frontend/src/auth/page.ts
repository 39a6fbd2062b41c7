import { api, ApiError, ensureCsrf, type Schema } from "../app/api";
import { field, formValues, h, showFormErrors } from "../app/dom";
import type { Session } from "../app/session";
import { offerPasskey, pathAfterSignIn, promptForCode } from "../security/twoFactor";

type SignUpAccepted = Schema<"SignUpAcceptedOutput">;

/** What a sign-up answers, the same for a new address and a registered one. */
export function checkInbox(accepted: SignUpAccepted): HTMLElement {
  return h(
    "div",
    { role: "status", class: "notice" },
    h("h2", {}, "Check your inbox"),
    h("p", {}, accepted.detail),
    h("p", {}, "No email after a few minutes? Look in your spam folder, or sign up again."),
  );
}

function authForm(kind: "login" | "signup", session: Session): HTMLElement {
  const isSignup = kind === "signup";
  const form = h(
    "form",
    { novalidate: true, "aria-labelledby": "auth-title" },
    h("p", { role: "alert", class: "form-alert" }),
    isSignup ? field("Display name", "display_name", { autocomplete: "nickname" }) : null,
    field("Email", "email", { type: "email", autocomplete: "email", required: true }),
    field("Password", "password", {
      type: "password",
      autocomplete: isSignup ? "new-password" : "current-password",
      required: true,
    }),
    h("button", { type: "submit" }, isSignup ? "Create account" : "Sign in"),
  );
  const signedIn = async (): Promise<void> => {
    await session.refresh();
    session.router().go(await pathAfterSignIn("/"));
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await ensureCsrf();
      if (isSignup) {
        // 202 whether or not the address has an account: the emailed link finishes signing up.
        const accepted = await api<SignUpAccepted>("auth/signup/", { method: "POST", body: formValues(form) });
        form.replaceWith(checkInbox(accepted));
        return;
      }
      await api("auth/login/", { method: "POST", body: formValues(form) });
      await signedIn();
    } catch (error) {
      if (error instanceof ApiError && error.code === "two_factor_required") {
        promptForCode(form);
        offerPasskey(form, error.details.factors, signedIn);
      }
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return h(
    "section",
    { class: "card narrow" },
    h("h1", { id: "auth-title" }, isSignup ? "Create your Wellverse account" : "Sign in to Wellverse"),
    form,
    isSignup
      ? h("p", {}, "Already have an account? ", h("a", { href: "/login", "data-link": true }, "Sign in"))
      : h("p", {}, "New here? ", h("a", { href: "/signup", "data-link": true }, "Create an account")),
  );
}

export const loginPage = (session: Session) => () => authForm("login", session);
export const signupPage = (session: Session) => () => authForm("signup", session);

/** The emailed link's query (``?user=…&token=…``) as the confirm endpoint's body, or null. */
export function confirmationFromQuery(search: string): { user_id: number; token: string } | null {
  const params = new URLSearchParams(search);
  const user = Number(params.get("user"));
  const token = params.get("token") ?? "";
  return Number.isSafeInteger(user) && user > 0 && /^[\w-]{1,100}$/.test(token) ? { user_id: user, token } : null;
}

/** ``/confirm-email?user=…&token=…``: the emailed link confirms the address and signs in. */
export const confirmEmailPage = (session: Session) => () => {
  const message = h("p", { role: "status" }, "Confirming your address…");
  const section = h("section", { class: "card narrow" }, h("h1", {}, "Confirm your address"), message);
  const refuse = (text: string) =>
    message.replaceWith(
      h("p", { role: "alert", class: "form-alert" }, text, " ", h("a", { href: "/signup", "data-link": true }, "Sign up again")),
    );
  const body = confirmationFromQuery(window.location.search);
  if (body === null) {
    refuse("This link is incomplete: open the whole link from the email.");
    return section;
  }
  void (async () => {
    try {
      await ensureCsrf();
      await api("auth/signup/confirm/", { method: "POST", body });
      await session.refresh();
      session.router().go("/profile");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      refuse(error.message);
    }
  })();
  return section;
};
