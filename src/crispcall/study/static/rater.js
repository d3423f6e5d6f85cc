// The rater's page: join, training anchors, then one stimulus at a time until the plan is done.
// The session id lives in the address (?session=) and in local storage, so a reload resumes.
const $ = (id) => document.getElementById(id);
const ACR = [
  ["5", "Excellent"],
  ["4", "Good"],
  ["3", "Fair"],
  ["2", "Poor"],
  ["1", "Bad"],
];
const PAIR = [
  ["left", "Left is better"],
  ["same", "About the same"],
  ["right", "Right is better"],
];
let session = new URLSearchParams(location.search).get("session") || localStorage.getItem("crispcall-study-session");

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? {} : await response.json();
  if (!response.ok) throw Object.assign(new Error(data.error || response.statusText), { status: response.status });
  return data;
}

function show(id) {
  for (const section of ["welcome", "training", "rating", "done"]) $(section).hidden = section !== id;
  $("message").textContent = "";
}

function media(stimulus, label) {
  const figure = document.createElement("figure");
  const element = document.createElement(stimulus.kind === "video" ? "video" : "img");
  element.src = stimulus.url;
  if (stimulus.kind === "video") Object.assign(element, { muted: true, autoplay: true, playsInline: true, loop: true });
  else element.alt = "stimulus";
  figure.append(element);
  if (label) {
    const caption = document.createElement("figcaption");
    caption.textContent = label;
    figure.append(caption);
  }
  return figure;
}

async function resume() {
  if (!session) return show("welcome");
  let state;
  try {
    state = await api("GET", `/api/sessions/${session}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    localStorage.removeItem("crispcall-study-session");
    session = null;
    return show("welcome");
  }
  history.replaceState(null, "", `?session=${session}`);
  if (!state.trained) return training(state.mode);
  return next();
}

async function training(mode) {
  const anchors = await api("GET", "/api/training");
  $("training-text").textContent =
    mode === "acr"
      ? "Each clip or picture is shown on its own. Rate its quality from 5 (excellent) to 1 (bad). " +
        "These two examples show the ends of the scale."
      : "Two versions of the same clip or picture are shown side by side. Choose the one that looks " +
        "better, or 'about the same'. These two examples show very good and very poor quality.";
  $("anchors").replaceChildren(...anchors.map((a) => media(a, a.label)));
  show("training");
}

async function next() {
  const item = await api("GET", `/api/sessions/${session}/next`);
  if (item.done) return show("done");
  $("progress").textContent = `${item.position + 1} of ${item.total}`;
  const pair = item.mode === "pair";
  $("stimulus").replaceChildren(...item.stimuli.map((s, i) => media(s, pair ? (i ? "right" : "left") : null)));
  $("question").textContent = pair ? "Which looks better?" : "How good is the quality?";
  $("answers").replaceChildren(
    ...(pair ? PAIR : ACR).map(([value, label]) => {
      const button = document.createElement("button");
      Object.assign(button, { type: "button", textContent: pair ? label : `${value} ${label}` });
      button.dataset.value = value;
      button.addEventListener("click", () => answer(item.item, value));
      return button;
    }),
  );
  show("rating");
}

async function answer(item, value) {
  for (const button of $("answers").querySelectorAll("button")) button.disabled = true;
  try {
    await api("POST", `/api/sessions/${session}/answers`, { item, value });
  } catch (error) {
    if (error.status !== 409) {
      $("message").textContent = `Not saved: ${error.message}. Please try again.`;
      for (const button of $("answers").querySelectorAll("button")) button.disabled = false;
      return;
    }
  }
  await next();
}

$("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  const mode = new URLSearchParams(location.search).get("mode") || undefined;
  try {
    const created = await api("POST", "/api/sessions", { rater: $("rater-name").value, mode });
    session = created.session;
    localStorage.setItem("crispcall-study-session", session);
    history.replaceState(null, "", `?session=${session}`);
    await training(created.mode);
  } catch (error) {
    $("message").textContent = error.message;
  }
});
$("train-done").addEventListener("click", async () => {
  await api("POST", `/api/sessions/${session}/trained`);
  await next();
});

resume().catch((error) => ($("message").textContent = error.message));
