// otp-webauthn's browser side: a vanilla ES module, no build step, no inline script.
//
// Every element with a data-otp-webauthn attribute is one ceremony:
//   "register"     set-up step: create a key, then submit it with the wizard's form
//   "authenticate" second-factor step: sign the server's options, submit the assertion
//   "passkey"      login page: conditional mediation (autofill) and a button fallback
// URLs, messages (translated on the server) and options come in data attributes
// and <script type="application/json"> blocks, so a strict CSP needs no exception.

const B64 = { "+": "-", "/": "_" };

export function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/[+/]/g, (c) => B64[c]).replace(/=+$/, "");
}

export function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function descriptors(list) {
  return (list || []).map((d) => ({ ...d, id: fromBase64url(d.id) }));
}

export function creationOptions(json) {
  if (typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function") {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

export function requestOptions(json) {
  if (typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function") {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: descriptors(json.allowCredentials),
  };
}

export function credentialJSON(credential) {
  if (typeof credential.toJSON === "function") {
    try {
      return credential.toJSON();
    } catch (error) {
      // Some browsers throw on extensions they cannot serialise: build it below.
    }
  }
  const r = credential.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64url(r.authenticatorData);
    response.signature = toBase64url(r.signature);
    if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

export function supported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials);
}

class CeremonyFailed extends Error {}

function csrfToken(root) {
  const field =
    (root.closest("form") || document).querySelector("input[name=csrfmiddlewaretoken]") ||
    document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function post(root, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(root) },
      body: JSON.stringify(body || {}),
    });
  } catch (error) {
    throw new CeremonyFailed(root.dataset.msgFailed);
  }
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (!response.ok || !data) {
    throw new CeremonyFailed((data && data.message) || root.dataset.msgFailed);
  }
  return data;
}

function announce(root, text, isError) {
  const region = root.querySelector("[data-otp-webauthn-status]");
  if (!region) return;
  region.classList.toggle("tf-errors", Boolean(isError));
  region.textContent = "";
  // A new text node, a moment later: screen readers announce it even if unchanged.
  window.setTimeout(() => {
    region.textContent = text || "";
  }, 50);
}

function explain(root, error) {
  if (error instanceof CeremonyFailed) return error.message;
  switch (error && error.name) {
    case "NotAllowedError":
      return root.dataset.msgCancelled;
    case "InvalidStateError":
      return root.dataset.msgAlreadyRegistered;
    case "SecurityError":
      return root.dataset.msgInsecure;
    default:
      return root.dataset.msgFailed;
  }
}

function jsonData(root) {
  const source = root.dataset.optionsId && document.getElementById(root.dataset.optionsId);
  return source ? JSON.parse(source.textContent) : null;
}

function setBusy(root, busy) {
  for (const button of root.querySelectorAll("[data-otp-webauthn-start]")) {
    button.disabled = busy;
  }
  if (busy) root.setAttribute("aria-busy", "true");
  else root.removeAttribute("aria-busy");
}

// -- the three ceremonies ----------------------------------------------------------

async function register(root) {
  // The wizard's form completes the registration: it posts the credential with the name.
  const form = root.closest("form");
  announce(root, root.dataset.msgWorking, false);
  const options = await post(root, root.dataset.beginUrl, {});
  const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
  form.querySelector("[data-otp-webauthn-credential]").value = JSON.stringify(
    credentialJSON(credential),
  );
  announce(root, root.dataset.msgDone, false);
  form.submit();
}

async function authenticate(root) {
  const form = root.closest("form");
  announce(root, root.dataset.msgWorking, false);
  const options = requestOptions(jsonData(root));
  const credential = await navigator.credentials.get({ publicKey: options });
  form.querySelector("[data-otp-webauthn-assertion]").value = JSON.stringify(
    credentialJSON(credential),
  );
  announce(root, root.dataset.msgDone, false);
  form.submit();
}

async function passkey(root, mediation, signal, state) {
  const begun = post(root, root.dataset.beginUrl, {});
  // The session keeps one challenge: a button press waits for autofill's to be
  // issued, and so does a password sign-in (see holdSubmits).
  state.settled = false;
  state.begun = begun.catch(() => null).then(() => {
    state.settled = true;
  });
  const options = await begun;
  const request = { publicKey: requestOptions(options) };
  if (mediation) request.mediation = mediation;
  if (signal) request.signal = signal;
  const credential = await navigator.credentials.get(request);
  announce(root, root.dataset.msgWorking, false);
  const answer = await post(root, root.dataset.completeUrl, {
    ...credentialJSON(credential),
    next: root.dataset.next || "",
  });
  announce(root, root.dataset.msgDone, false);
  window.location.assign(answer.redirect);
}

function run(root, ceremony) {
  setBusy(root, true);
  return ceremony(root)
    .catch((error) => announce(root, explain(root, error), true))
    .finally(() => setBusy(root, false));
}

function setUp(root) {
  const ui = root.querySelector("[data-otp-webauthn-ui]");
  const note = root.querySelector("[data-otp-webauthn-unsupported]");
  if (!window.isSecureContext || !supported()) {
    if (note) {
      note.hidden = false;
      note.textContent = window.isSecureContext ? root.dataset.msgUnsupported : root.dataset.msgInsecure;
    }
    if (ui) ui.hidden = true;
    root.dataset.otpWebauthnReady = "unsupported";
    return;
  }
  if (note) note.hidden = true;
  if (ui) ui.hidden = false;
  const mode = root.dataset.otpWebauthn;
  const start = root.querySelector("[data-otp-webauthn-start]");
  if (mode === "register") {
    // "Register security key" is the form's submit button (pressing Enter in
    // the name field does the same): every submit without a credential yet,
    // except "Back", registers a key first.
    const form = root.closest("form");
    form.addEventListener("submit", (event) => {
      const submitter = event.submitter;
      const goingBack = submitter && submitter.name && submitter.name.endsWith("goto_step");
      if (!goingBack && !form.querySelector("[data-otp-webauthn-credential]").value) {
        event.preventDefault();
        run(root, register);
      }
    });
  } else if (mode === "authenticate") {
    start.addEventListener("click", () => run(root, authenticate));
  } else if (mode === "passkey") {
    const autofill = { controller: null, cancelled: false, begun: null, settled: true };
    start.addEventListener("click", () => {
      autofill.cancelled = true;
      if (autofill.controller) autofill.controller.abort();
      run(root, async (r) => {
        await autofill.begun;
        return passkey(r, null, null, autofill);
      });
    });
    holdSubmits(autofill);
    startAutofill(root, autofill);
  }
  root.dataset.otpWebauthnReady = "yes";
}

// How long a password sign-in waits at most for a begin request to settle.
const BEGIN_WAIT_MS = 10000;

// A begin request that has not yet answered when the password form is sent
// races it: a first request starts a session, both responses set the session
// cookie, and the later one wins, so the sign-in could lose its state (the
// code step would start over). A submit on the page waits for the begin
// request to settle, then goes on with the same button; no autofill begins
// once a form was sent.
function holdSubmits(state) {
  let waiting = false;
  document.addEventListener(
    "submit",
    (event) => {
      state.cancelled = true;
      if (state.settled || !state.begun) return;
      event.preventDefault();
      if (waiting) return;
      waiting = true;
      const form = event.target;
      const submitter = event.submitter;
      const timeout = new Promise((resolve) => window.setTimeout(resolve, BEGIN_WAIT_MS));
      Promise.race([state.begun, timeout]).then(() => {
        state.settled = true;
        waiting = false;
        if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || null);
        else form.submit();
      });
    },
    true,
  );
}

async function startAutofill(root, autofill) {
  const available =
    typeof PublicKeyCredential.isConditionalMediationAvailable === "function" &&
    (await PublicKeyCredential.isConditionalMediationAvailable());
  if (!available || autofill.cancelled) return;
  autofill.controller = new AbortController();
  root.dataset.otpWebauthnAutofill = "on";
  passkey(root, "conditional", autofill.controller.signal, autofill).catch((error) => {
    // Aborted for the button, or dismissed: the button is still there.
    if (!autofill.cancelled && error && error.name !== "AbortError") {
      announce(root, explain(root, error), true);
    }
  });
}

for (const root of document.querySelectorAll("[data-otp-webauthn]")) setUp(root);
