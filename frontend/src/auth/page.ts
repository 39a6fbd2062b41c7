import { api, ApiError, ensureCsrf } from "../app/api";
import { field, formValues, h, showFormErrors } from "../app/dom";
import type { Session } from "../app/session";

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
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await ensureCsrf();
      await api(isSignup ? "auth/signup/" : "auth/login/", { method: "POST", body: formValues(form) });
      await session.refresh();
      session.router().go(isSignup ? "/profile" : "/");
    } catch (error) {
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
