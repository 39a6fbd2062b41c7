// One polite live region for the whole app (in the page shell, so it exists before anything is
// announced): world events, badges, levels and announcements appear here and are read out by
// screen readers without interrupting. A toast stays 6 s; at most four are shown at once.

const LIMIT = 4;
const SECONDS = 6;

export function toast(text: string, kind = "info"): HTMLElement | null {
  let region = document.getElementById("toasts");
  if (!region) {
    // A page without the shell (a test harness) still gets a working region.
    region = document.createElement("div");
    region.id = "toasts";
    region.className = "toasts";
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "false");
    document.body.append(region);
  }
  const item = document.createElement("p");
  item.className = `toast toast-${kind}`;
  item.textContent = text;
  region.append(item);
  while (region.childElementCount > LIMIT) region.firstElementChild?.remove();
  setTimeout(() => item.remove(), SECONDS * 1000);
  return item;
}
