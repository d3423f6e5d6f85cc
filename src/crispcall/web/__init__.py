"""The browser build: the page in ``web/`` served on localhost, and a headless-Chromium driver
for its tests and for ``crispcall bench --browser``."""
