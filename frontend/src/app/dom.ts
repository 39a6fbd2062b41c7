// Small DOM helpers: build elements without innerHTML, so user text is never parsed as markup.

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

let fieldCounter = 0;

/** A labelled input with a place for its error message, linked for screen readers. */
export function field(
  label: string,
  name: string,
  attrs: Record<string, string | boolean | undefined> = {},
): HTMLDivElement {
  const id = `f-${name}-${++fieldCounter}`;
  const errorId = `${id}-error`;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name, "aria-describedby": errorId, ...attrs }),
    h("p", { id: errorId, class: "field-error", "data-error-for": name }),
  );
}

/** Show an API error on a form: per-field messages and a summary in the form's alert region. */
export function showFormErrors(form: HTMLFormElement, message: string, fields: Record<string, string[]> = {}): void {
  form.querySelectorAll<HTMLElement>("[data-error-for]").forEach((p) => {
    const problems = fields[p.dataset.errorFor ?? ""];
    p.textContent = problems ? problems.join(" ") : "";
    const input = form.querySelector<HTMLInputElement>(`[name="${p.dataset.errorFor}"]`);
    if (input) input.setAttribute("aria-invalid", problems ? "true" : "false");
  });
  const alert = form.querySelector<HTMLElement>("[role=alert]");
  if (alert) alert.textContent = message;
}

export function formValues(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  new FormData(form).forEach((value, key) => {
    values[key] = String(value);
  });
  return values;
}
