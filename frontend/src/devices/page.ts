import { api, ApiError, type Schema } from "../app/api";
import { field, formValues, h, showFormErrors } from "../app/dom";
import type { Session } from "../app/session";

type Token = Schema<"AccessTokenOutput"> & { token?: string };

function tokenRow(token: Token, session: Session): HTMLElement {
  const revoke = h("button", { type: "button", class: "secondary" }, "Revoke");
  revoke.setAttribute("aria-label", `Revoke ${token.name}`);
  revoke.addEventListener("click", async () => {
    await api(`tokens/${token.id}/`, { method: "DELETE" });
    session.router().go("/devices");
  });
  return h(
    "tr",
    {},
    h("th", { scope: "row" }, token.name),
    h("td", {}, token.scope),
    h("td", {}, h("code", {}, `${token.prefix}…`)),
    h("td", {}, token.last_used_at ? new Date(token.last_used_at).toLocaleString() : "never"),
    h("td", {}, token.revoked_at ? "revoked" : revoke),
  );
}

export const devicesPage = (session: Session) => async () => {
  if (!(await session.refresh())) {
    session.router().go("/login");
    return h("p", {}, "Please sign in.");
  }
  const { results } = await api<{ results: Token[] }>("tokens/?page_size=100");
  const secret = h("div", { role: "status", "aria-live": "polite" });
  const form = h(
    "form",
    { novalidate: true },
    h("p", { role: "alert", class: "form-alert" }),
    field("Device name", "name", { required: true, placeholder: "Chest strap bridge" }),
    h("button", { type: "submit" }, "Create ingest token"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await api<Schema<"AccessTokenCreatedOutput">>("tokens/", { method: "POST", body: { ...formValues(form), scope: "ingest" } });
      showFormErrors(form, "");
      secret.replaceChildren(
        h("p", {}, `Token for ${created.name}, shown only now. Copy it into the bridge or phone:`),
        h("pre", {}, h("code", {}, created.token ?? "")),
      );
    } catch (error) {
      if (error instanceof ApiError) showFormErrors(form, error.message, error.fields);
      else throw error;
    }
  });
  return h(
    "div",
    {},
    h("h1", {}, "Devices and tokens"),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Connect a bridge or phone"),
      h("p", {}, "Each device gets its own token that can only send samples. Revoke it when you lose the device: its live connection closes at once."),
      form,
      secret,
    ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Your tokens"),
      results.length
        ? h(
            "table",
            {},
            h("thead", {}, h("tr", {}, ...["Name", "Scope", "Starts with", "Last used", ""].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, ...results.map((t) => tokenRow(t, session))),
          )
        : h("p", {}, "No tokens yet."),
    ),
  );
};
