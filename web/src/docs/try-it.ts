/**
 * The Try-it forms of /docs (src/pages/api-reference.tsx), enhanced: each form sends its operation as a
 * same-origin fetch (with the visitor's session cookie, so signed-in calls work) and shows the status in its
 * live region and the answer, pretty-printed, below it. Plain DOM, no framework: only /docs loads this file.
 */

function fillPath(path: string, form: HTMLFormElement): string | null {
  let missing = false;
  const url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const input = form.querySelector<HTMLInputElement>(`input[data-in="path"][name="${name}"]`);
    if (!input?.value) missing = true;
    return encodeURIComponent(input?.value ?? "");
  });
  return missing ? null : url;
}

function show(form: HTMLFormElement, status: string, body: string | null): void {
  const live = form.querySelector<HTMLElement>(".api-try-status");
  const result = form.querySelector<HTMLElement>(".api-try-result");
  if (live) live.textContent = status;
  if (result) {
    result.textContent = body ?? "";
    result.hidden = body === null || body === "";
  }
}

async function send(form: HTMLFormElement): Promise<void> {
  const method = form.dataset.method ?? "GET";
  const path = fillPath(form.dataset.path ?? "", form);
  if (path === null) {
    show(form, "Fill in every path parameter first.", null);
    return;
  }
  const query = new URLSearchParams();
  const headers = new Headers({ accept: "application/json" });
  for (const input of form.querySelectorAll<HTMLInputElement>("input[data-in]")) {
    if (input.value === "") continue;
    if (input.dataset.in === "query") query.append(input.name, input.value);
    if (input.dataset.in === "header") headers.set(input.name, input.value);
  }
  const textarea = form.querySelector<HTMLTextAreaElement>('textarea[data-in="body"]');
  let body: string | undefined;
  if (textarea) {
    try {
      body = JSON.stringify(JSON.parse(textarea.value));
      textarea.removeAttribute("aria-invalid");
    } catch (err) {
      textarea.setAttribute("aria-invalid", "true");
      show(form, `The request body is not valid JSON: ${(err as Error).message}`, null);
      return;
    }
    headers.set("content-type", "application/json");
  }
  const url = query.size > 0 ? `${path}?${query}` : path;
  show(form, `Sending ${method} ${url}…`, null);
  try {
    const res = await fetch(url, { method, headers, body, credentials: "same-origin" });
    const text = await res.text();
    let pretty = text;
    try {
      pretty = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: shown as it came
    }
    show(form, `${method} ${url}: ${res.status} ${res.statusText}`.trim(), pretty || "(no body)");
  } catch (err) {
    show(form, `${method} ${url} failed: ${(err as Error).message}`, null);
  }
}

for (const form of document.querySelectorAll<HTMLFormElement>("form.api-try")) {
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void send(form);
  });
}
