"""What the README quotes and states, checked against the code and data that say it: a quote left behind when the
words change reads as the app's own to a user who then sees other words."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from test_answer import LABELS, fake_run, right_on  # made-up finished runs (tests/ is on sys.path)

from bertlab import answer

README = Path(__file__).resolve().parents[1] / "README.md"


def readme() -> str:
    """The README with its line breaks and indents undone, so that a quote wrapped over lines reads as one."""
    return " ".join(README.read_text().split())


def test_the_readmes_plain_words_quotes_are_the_answers_own_words():
    """It quoted "scored higher, but not by more than chance on these test texts" after the app had come to say
    "but by a gap these test texts cannot tell from chance"."""
    zero, full = (SimpleNamespace(id=s, strategy=s, config={}) for s in ("zero_shot", "full_ft"))
    text = readme()
    assert answer.plain_words(full, zero) in text  # Compare's "Which one to use?" example
    assert answer.plain_words(full, full) in text  # the measured run's answer, which opens with it now
    assert "not by more than chance" not in text


def test_the_readmes_over_seeds_quote_ends_as_the_answer_does_where_zero_shot_is_the_pick(tmp_path):
    """With zero_shot the pick it said "With 512 training examples.", where the answer says zero_shot read none."""
    runs = []
    for seed, k in ((0, 300), (1, 285), (2, 296)):  # head_only ahead on average, by uneven amounts
        runs += [fake_run(tmp_path, "zero_shot", LABELS, right_on(LABELS, 290), 0.0, 0.0, seed=seed, n_train=512),
                 fake_run(tmp_path, "head_only", LABELS, right_on(LABELS, k, 7 * seed), 2.5e11, 10.0, seed=seed,
                          n_train=512)]
    a = answer.answer(runs)
    assert a.headline.startswith("Start with zero_shot")  # the premise: the README's case
    tail = a.headline[a.headline.index("and it trains nothing."):]
    assert tail == "and it trains nothing. It trains on none of the 512 training examples the others had."
    text = readme()
    quote = text[re.search(r'"Start with zero_shot \([\d.]+%, mean of 3 seeds\)', text).start():]
    assert quote[:quote.index("[...]")].endswith(tail + " head_only was ahead at 2 of 3 seeds ")


def test_first_five_minutes_says_scratch_answers_the_quick_demos_majority_class():
    """A new user saw scratch at 57.8% on the Quick demo and thought it broke: the paragraph now says it learns
    nothing from 500 texts, answering the test split's majority class, at that class's share."""
    from bertlab.config import SPLIT_PRESETS, DataConfig
    from bertlab.data import load_splits

    train, val, test = SPLIT_PRESETS["Quick demo"]
    sp = load_splits(DataConfig(train_size=train, val_size=val, test_size=test))
    labels = list(sp.test.labels)
    top = max(set(labels), key=labels.count)
    text = readme()
    para = text[text.index("**First five minutes.**"):text.index("Both commands need Python")]
    assert f"scratch, from random weights, learns nothing from {train} texts" in para
    assert f'it answers "{sp.label_names[top]}" to every test text, the majority class\'s ' \
           f"{labels.count(top) / len(labels):.1%}" in para


def test_the_tradeoff_sentence_is_given_in_the_form_the_code_writes():
    """It gave "full_ft is +6.1 points over head_only for 38x the compute.", a made-up test value where the
    README's own measured tables make full_ft about 9x head_only's compute: now the form, with no number."""
    from bertlab.pareto import tradeoff_sentences

    rows = [{"strategy": "zero_shot", "test_accuracy": 0.70, "train_flops": 0.0},
            {"strategy": "head_only", "test_accuracy": 0.72, "train_flops": 1e12},
            {"strategy": "full_ft", "test_accuracy": 0.80, "train_flops": 1.4e13}]
    dear, free = tradeoff_sentences(rows)
    assert dear == "full_ft is +8.0 points over head_only for 14x the compute."  # the premise
    assert free == "head_only is +2.0 points over zero_shot (which trains nothing)."
    form = re.sub(r"for \d+x", "for Nx", re.sub(r"\+[\d.]+ points", "+X points", dear))
    text = readme()
    assert f'(its form: "{form}"; over a run that trains nothing, "(which trains nothing)" in place of the ratio)' \
           in text
    assert "38x the compute" not in text


def test_what_bertlab_guarantees_states_how_many_tests_its_files_collect():
    """It said "192 passed, 1 skipped ... three bad-input cases have been added since" while its five files had come
    to collect 212: the count it states is the one pytest collects from the files it names."""
    text = readme()
    said = re.search(r"Checked by `make test` \(((?:`[\w/.]+`, )+`[\w/.]+`)\), which collect (\d+) tests\.", text)
    assert said, "the section no longer states its files and their count"
    files = [f"tests/{Path(f).name}" for f in re.findall(r"`([\w/.]+)`", said.group(1))]
    assert all((README.parent / f).is_file() for f in files), files
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
                         cwd=README.parent, capture_output=True, text=True, check=True).stdout
    collected = re.search(r"(\d+) tests? collected", out)
    assert collected and collected.group(1) == said.group(2), out[-300:]


def test_the_bad_input_guarantee_counts_the_cases_its_test_file_holds():
    """It said "137 bad inputs: 48 bad files ... 51 odd files" after six cases had been added to test_bad_inputs
    (143 collected, 49 refused files, 53 loaded ones): the row's three counts are the file's own."""
    import test_bad_inputs  # tests/ is on sys.path

    said = re.search(r"\*\*(\d+) bad inputs\*\*: (\d+) bad files .*?; (\d+) odd files", readme())
    assert said, "the guarantees table no longer counts its bad inputs"
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "tests/test_bad_inputs.py"], cwd=README.parent, capture_output=True, text=True,
                         check=True).stdout
    collected = re.search(r"(\d+) tests? collected", out)
    assert collected, out[-300:]
    assert [int(n) for n in said.groups()] == [int(collected.group(1)), len(test_bad_inputs.REFUSED),
                                               len(test_bad_inputs.LOADS)]


def test_the_architecture_section_names_every_module_of_the_library():
    """It left out explain (word weights), variants (run names), paths, errors, dropout, embgrad and embrows: a
    reader looking for where a thing lives did not find it."""
    raw = README.read_text()
    section = raw[raw.index("## Architecture"):]
    block = section[section.index("\nbertlab/\n"):section.index("\ntests/ ")]
    named = set()
    for line in block.splitlines()[2:]:
        first = re.match(r"  (\S.*?)(?:\s{2,}|$)", line)  # the name column, before the description
        if first and not line.startswith("   "):
            named |= {n.strip() for n in first.group(1).split(",") if n.strip()}
        elif first is None and (cont := re.match(r"    (\w+)\s{2,}", line)):  # "estimate," wrapped: "  speedprobe"
            named.add(cont.group(1))
    package = Path(__file__).resolve().parents[1] / "bertlab"
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {f"{p.name}/" for p in package.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    assert modules <= named, sorted(modules - named)
    assert named <= modules, sorted(named - modules)  # nor a module that is gone


def test_the_readme_says_the_theme_flag_does_nothing_where_the_config_defines_both_themes():
    """`streamlit run app.py --theme.base dark` left the app light: with [theme.light] and [theme.dark] both in the
    config, Streamlit follows the browser. A reader trying the flag for a projector needs the ways that work."""
    import tomllib

    config = tomllib.loads((README.parent / ".streamlit" / "config.toml").read_text())
    assert {"light", "dark"} <= set(config["theme"])
    text = readme()
    assert "`streamlit run app.py --theme.base dark` does nothing here" in text
    assert "set the browser or OS to dark, or pick Dark in that menu" in text


def test_the_readme_says_what_students_see_when_the_server_restarts():
    """A classroom review: students saw Streamlit's own connection-error box at a restart, which the README never
    mentioned, and it said a stopped server was gone within bertlab's 5-s wait; the process took 8-11 s."""
    import streamlit

    from bertlab.jobs import EXIT_WAIT_S

    text = readme()
    classroom = text[text.index("### In a classroom"):]
    bundle = " ".join(p.read_text(errors="ignore")
                      for p in (Path(streamlit.__file__).parent / "static").rglob("*.js"))
    quoted = re.findall(r'"((?:Streamlit server|Is Streamlit)[^"]+)"', classroom)
    assert len(quoted) == 2 and all(q in bundle for q in quoted), quoted  # Streamlit's own words, as it shows them
    assert "*interrupted*" in classroom and "Run again" in classroom and "resume in the order" in classroom
    assert f"bertlab waiting up to {EXIT_WAIT_S:g} s" in text and "may take ~10 s in all to exit" in text
    assert "waiting up to 5 s, marks it so and exits cleanly" not in text


def test_the_readme_gathers_reproducing_a_run_in_one_section_and_its_claims_hold():
    """A reproducibility review found the facts spread over the README or missing. The section states them; each
    is checked here against the code it describes."""
    import inspect

    from bertlab import cli, cpushare, dropout, engine

    text = readme()
    assert "## Reproducing a run" in text
    section = text[text.index("## Reproducing a run"):text.index("## Strategies")]
    for claim in ("The same seed and split seed give the same split, the same test set and the same scores",
                  "Set `BERTLAB_CPU_SHARE=0`, or train on an otherwise idle machine, for identical weights",
                  "not the same one bit for bit", "On a GPU: untested", "runs --json"):
        assert claim in section, claim
    # BERTLAB_CPU_SHARE=0 keeps the thread count; the training seed is init, order and dropout, not the split
    assert "BERTLAB_CPU_SHARE" in inspect.getsource(cpushare.enabled)
    run = cli.build_parser()._subparsers._group_actions[0].choices["run"]
    seed_help = next(a.help for a in run._actions if "--seed" in a.option_strings)
    assert "initialisation, batch order, dropout" in seed_help and "not the split" in seed_help
    assert "torch.manual_seed" in inspect.getsource(dropout)  # CPU dropout: masks of its own, from torch's generator
    # nothing in bertlab turns on deterministic GPU algorithms: "untested" stays true until something does
    package = Path(engine.__file__).parent
    assert not [p for p in package.rglob("*.py") if "use_deterministic_algorithms" in p.read_text()]


def test_every_cli_option_is_in_the_readme_and_every_option_its_cli_section_names_exists():
    """The README named neither `runs --limit` (a store of 55 runs listed 50) nor `report`'s `--price-cpu`,
    `--price-gpu`, `--currency` and `--title`; each option of each command is now named in it (by one of its
    spellings, `-o` for `--output`), and every `--option` its Command line section names is one a command takes."""
    from bertlab.cli import build_parser

    text = readme()
    sub = build_parser()._subparsers._group_actions[0]
    options = {o for p in sub.choices.values() for a in p._actions for o in a.option_strings}
    unnamed = sorted(f"{cmd} {a.option_strings[0]}" for cmd, p in sub.choices.items() for a in p._actions
                     if a.option_strings and a.dest != "help"
                     and not any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", text) for o in a.option_strings))
    assert unnamed == []
    cli_section = text[text.index("## Command line"):text.index("## From Python")]
    assert sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", cli_section)) - options) == []


def test_every_cli_option_says_what_it_does_in_its_help():
    """`runs --help`, `paired --help` and `sweep --help` listed a bare `--json`, and run's and sweep's
    `--text-column`, `--label-column` and `--hub-split`, sweep's `--model` and report's `--title` had no words:
    a script's author had only the README to go by. Each option of each command now says what it does."""
    from bertlab.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0]
    bare = sorted(f"{cmd} {a.option_strings[-1]}" for cmd, p in sub.choices.items() for a in p._actions
                  if a.option_strings and not a.help)
    assert bare == []


def test_the_cli_modules_docstring_names_every_command_in_the_helps_order():
    """bertlab/cli.py's first line named 8 commands ({datasets,...,report,export}) where the CLI had 14: show,
    paired, delete, clean, cancel and worker came later and a reader of the module did not learn of them. It now
    gives the braces `python -m bertlab --help` prints, in its order."""
    from bertlab import cli

    sub = cli.build_parser()._subparsers._group_actions[0]
    named = re.search(r"\{([a-z,\s]+)\}", cli.__doc__).group(1)
    assert re.sub(r"\s", "", named).split(",") == list(sub.choices)


def test_the_cli_help_calls_bertlab_home_the_data_directory_as_the_app_and_readme_do():
    """A copyedit read: `export --help` said its default folder was "the data home's exports/", where the app's
    sidebar, the README and every other message name that folder the data directory (BERTLAB_HOME)."""
    from bertlab.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0]
    helps = " ".join(a.help or "" for p in [build_parser(), *sub.choices.values()] for a in p._actions)
    assert "data home" not in helps.lower()
    assert "the data directory's exports/" in helps
    assert "data home" not in readme().lower()


def test_the_pages_the_report_and_the_readme_spell_optimizer_one_way():
    """A copyedit read: the report's training-loss chart was captioned "Cross-entropy per optimiser step" over an
    axis titled "optimizer step (batches)", the Train page's line read "Optimiser: AdamW" beside the sweep form's
    and the run notes' "optimizer steps". Every string the app, the CLI and the report show (and the README) now
    spell it as PyTorch's optimizer is spelt; code names and comments are left as they are. ('optimistic', what the
    precision-recall table calls a threshold read on the test texts, is another word.)"""
    import ast

    root = README.parent
    spelt = re.compile(r"optimis(?!tic)", re.I)
    found = ["README.md"] if spelt.search(README.read_text()) else []
    for path in [root / "app.py", *sorted((root / "app_pages").glob("*.py")), *sorted((root / "bertlab").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and spelt.search(node.value):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []


def test_the_cli_help_spells_the_learning_rates_warmup_as_its_flag_and_the_train_page_do():
    """A copyedit read: run's --lr help said "linear warm-up then decay" two lines above its own --warmup flag,
    whose help, the Train page's *Warmup (share of steps)* field and the README say "warmup"."""
    from bertlab.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0]
    helps = " ".join(a.help or "" for p in sub.choices.values() for a in p._actions)
    assert "warmup" in helps and "warm-up" not in helps


def test_the_column_and_split_options_help_says_what_they_apply_to():
    """run's and sweep's --text-column and --label-column said "a file's column" where they choose a hub dataset's
    too (a built-in's refusal of them says "a file's or a hub dataset's columns"), and --hub-split "drawn into train
    / validation / test", where with --hub-test-split it gives train and validation alone."""
    from bertlab.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0]
    for cmd in ("run", "sweep"):
        helps = {a.option_strings[-1]: a.help for a in sub.choices[cmd]._actions if a.option_strings}
        assert "hub dataset" in helps["--text-column"] and "hub dataset" in helps["--label-column"], cmd
        assert "--hub-test-split" in helps["--hub-split"], cmd


def test_the_data_sections_counts_of_the_built_in_datasets_are_the_cleaned_datasets():
    """The Data section counts each built-in after cleaning (duplicates dropped) and gives rotten_tomatoes' share of
    fresh reviews; a change to the data package or to cleaning would leave those numbers behind unseen."""
    from bertlab.data.builtin import load_builtin

    text = readme()
    rt, bbc, tw = (load_builtin(n) for n in ("rotten_tomatoes", "bbc_news", "tweets"))
    fresh = rt.counts()["fresh"] / len(rt)
    assert (f"`rotten_tomatoes` (preselected; {len(rt):,} short movie reviews, fresh/rotten, {fresh:.0%} fresh:"
            in text)
    assert f"`bbc_news` ({len(bbc):,} articles, {len(bbc.counts())} topics)" in text
    assert f"`tweets` ({len(tw):,} tweets on airlines" in text and f"{len(tw.counts())} sentiments" in text
    assert "counted after cleaning (duplicates dropped" in text


def test_the_readmes_sizes_are_the_presets_the_data_page_and_the_cli_offer():
    """The Data section, the CLI block and From Python state the size presets' caps; each is SPLIT_PRESETS' own."""
    from bertlab.config import SPLIT_PRESETS

    text = readme()
    q, c, s = (SPLIT_PRESETS[k] for k in ("Quick demo", "Classroom", "Standard"))
    assert f"the Quick demo (rotten_tomatoes, {q[0]} / {q[1]} / {q[2]} texts) is already chosen" in text
    assert f"*Quick demo* caps the splits at {q[0]} train / {q[1]} validation / {q[2]} test examples" in text
    assert "*Classroom* {:,} / {:,} / {:,}".format(*c) in text
    assert "*Standard* {:,} / {:,} / {:,} (the defaults of the CLI and of `bertlab.compare`".format(*s) in text
    assert "run --quick # the same at the app's Quick demo sizes ({}/{}/{})".format(*q) in text
    assert "run --classroom # the same at the app's Classroom sizes ({}/{}/{})".format(*c) in text
    assert '`sizes` is `"quick"` ({}/{}/{})'.format(*q) in text


def test_the_bbc_news_quick_demo_note_the_readme_quotes_is_the_one_the_split_writes():
    """The Data section quotes the note a bbc_news Quick demo's runs carry; the split writes it."""
    from bertlab.config import SPLIT_PRESETS, DataConfig
    from bertlab.data import load_splits

    train, val, test = SPLIT_PRESETS["Quick demo"]
    sp = load_splits(DataConfig(name="bbc_news", train_size=train, val_size=val, test_size=test))
    quote = f"the test cap (test_size) of {test} is more than the {len(sp.test)} test examples available"
    assert quote in readme() and any(quote in n for n in sp.notes)


def test_the_train_sections_defaults_are_the_run_configs():
    """The Train section gives the optimiser's and scratch's defaults in numbers; RunConfig holds them."""
    from bertlab.config import RunConfig
    from bertlab.strategies import make_config

    text = readme()
    d, head = RunConfig(strategy="full_ft"), make_config("head_only")
    assert (f"**Weight decay** (0 to 1; {d.weight_decay} by default, head_only's {head.weight_decay:g})"
            in text)
    assert f"**Warmup (share of steps)** (0 to 0.99; {d.warmup_ratio} by default" in text
    assert (f"linear warmup over the first {d.warmup_ratio:.0%} of steps then linear decay, weight decay "
            f"{d.weight_decay} (none on biases and LayerNorm weights), gradients clipped at norm {d.grad_clip}"
            in text)
    assert f"a WordPiece vocabulary of the size you choose ({d.vocab_size:,} by default)" in text
    assert not d.new_vocab and "**New vocabulary** (off by default" in text
    assert d.patience == 0 and "(the Trainer's `EarlyStoppingCallback`; 0, the default, trains every epoch)" in text


def test_the_readmes_projector_sizes_are_the_ones_the_app_sets():
    """The App section says projector mode makes the page's text a quarter larger and charts' text 13 to 18 px, its
    axis ticks 16; app_pages/common sets them."""
    from app_pages import common

    text = readme()
    assert common.PROJECTOR_PX / 16 == 1.25 and "(every page's text a quarter larger" in text
    assert (f"every chart's text and legends from 13 to {common.PROJECTOR_FONT} px, its axis ticks to "
            f"{common.PROJECTOR_FONT - 2}" in text)
    assert common.FINISHED_RERUN_GAP_S == 10 and "at most once every 10 s" in text


def test_the_readmes_make_test_times_say_when_they_were_measured():
    """`make test`'s 35-37 minutes were measured in two fresh-clone runs of 2026-12-07 over about 2,500 tests (the
    23-40 minutes given before were of 2026-12-06, about 1,700 tests); the suite grows, so each place that gives
    them says when (a time without its date read as today's suite)."""
    text = readme()
    times = [m.start() for m in re.finditer(r"35-37 minutes", text)]
    assert len(times) == 2
    for at in times:
        assert "fresh-clone runs of 2026-12-07" in text[at:at + 200] and "2,500 tests" in text[at:at + 250]
    assert "23-40 minutes" not in text


def test_the_readmes_sidebar_disk_example_says_what_it_was_measured_after_and_when():
    """"Runs 174.7 MiB (4) · caches 1.8 MiB · uploads 0 B" was given twice "after the default launch", never checked
    and undated. Read again on 2026-12-07 in a fresh data directory after the Quick demo's four runs (`run --quick`
    with zero_shot, head_only, full_ft and scratch), the sidebar said exactly that: each place names those runs and
    the date, in the words diskuse.DiskUse.line writes."""
    from bertlab.diskuse import DiskUse

    text = " ".join(readme().split())
    line = "Runs 174.7 MiB (4) · caches 1.8 MiB · uploads 0 B"
    assert DiskUse(int(174.7 * 2**20), 4, int(1.8 * 2**20), 0).line() == line
    places = [m.start() for m in re.finditer(re.escape(line), text)]
    assert len(places) == 2
    for at in places:
        assert ("after the Quick demo's four runs, zero_shot, head_only, full_ft and scratch" in text[at:at + 150]
                and "as read on 2026-12-07 in a fresh data directory" in text[at:at + 300])
    assert "after the default launch" not in text


def test_the_relaunch_questions_buttons_are_named_as_the_train_page_labels_them():
    """The Train section names the two buttons of a launch that repeats runs; the page labels them with their counts
    ("Queue only the 1 new one", "Queue all 3": test_app_pages clicks them so), and "*Queue all*" read as a label
    missing from the page."""
    import inspect

    import app_pages.train as train

    text = readme()
    assert "with *Queue only the N new ones* beside *Queue all M* (every run of the launch)" in text
    src = inspect.getsource(train)
    assert 'f"Queue only the {fresh} new one' in src and 'f"Queue all {len(now)}"' in src


def test_compares_delete_is_named_as_the_page_labels_it():
    """The Compare section names the foot of the page's delete; the page labels it with the count ("Delete these 3
    runs", then "Delete 3 runs": test_serving clicks that), so "*Delete these runs*" named a label the page lacks."""
    assert "*Delete these N runs* (its *Delete N runs* asks once more, with their size on disk)" in readme()
    src = (README.parent / "app_pages" / "compare.py").read_text()  # a page runs when imported: read, not imported
    assert "f'these {n} runs'" in src and "f\"Delete {n} run{'s' * (n != 1)}\"" in src


def test_the_learning_curves_section_names_keep_best_by_its_flag_not_a_box_the_page_lacks():
    """The Learning curves section said each point's validation texts are what tfidf_logreg and *Keep best* use,
    in the italics the README gives the pages' own labels; the page's form has no such box (keep-best is
    `sweep --keep-best`), so it now names the flag."""
    src = (README.parent / "app_pages" / "sweep.py").read_text()  # a page runs when imported: read, not imported
    text = readme()
    section = text[text.index("### 5. Learning curves"):text.index("### 6. Accuracy vs cost")]
    assert "*Keep best*" not in section or "Keep best" in src
    help_text = subprocess.run([sys.executable, "-m", "bertlab", "sweep", "--help"], capture_output=True, text=True,
                               cwd=README.parent).stdout
    assert "--keep-best" in help_text
    assert "which tfidf_logreg and `sweep --keep-best` use too" in section


def test_the_data_sections_leave_out_button_is_named_as_the_page_labels_it():
    """The Data section names the button that leaves out classes too small to split; the page labels it with the
    count ("Leave out these 3 classes and go on", or "this class"), so "*Leave out these classes and go on*" named a
    label the page does not show."""
    src = (README.parent / "app_pages" / "data.py").read_text()  # a page runs when imported: read, not imported
    assert "f\"Leave out {'this class' if n == 1 else f'these {n:,} classes'} and go on\"" in src
    assert "(*Leave out these N classes and go on*, or *this class*;" in readme()


def test_the_run_notes_compare_quotes_are_in_the_words_the_runner_writes():
    """The Compare section quoted two run notes in words no run carries ("batch_size lowered to the training size",
    "predicted one class for every test example"); it now quotes them as runner.py writes them."""
    import inspect

    from bertlab import runner

    src = " ".join(inspect.getsource(runner).split())
    text = readme()
    assert ('f"batch_size {cfg.batch_size} is larger than the {len(splits.train)} training " '
            'f"examples; used batch_size {len(splits.train)}"') in src
    assert '"batch_size 16 is larger than the 12 training examples; used batch_size 12"' in text
    assert 'f"predicted {only!r} for every test example: ' in src
    assert "\"predicted 'fresh' for every test example: ...\"" in text
    assert "batch_size lowered to the training size" not in text


def test_the_readmes_defaults_of_the_cost_projection_and_a_sweeps_minimum_steps_are_the_codes():
    """Section 6 says Accuracy vs cost projects training to 100,000 examples by default, and section 5 that a sweep's
    points train at least `--min-steps` (default 20) optimizer steps; pareto.PROJECT_TO and the sweep parser hold
    them (checked in the readme2 audit; nothing held the README to them)."""
    import argparse

    from bertlab import cli, pareto

    text = readme()
    assert f"as many examples as you give, {pareto.PROJECT_TO:,} by default" in text
    sweep = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices["sweep"]
    default = next(a.default for a in sweep._actions if "--min-steps" in a.option_strings)
    assert f"at least `--min-steps` (default {default}) optimizer steps" in text


def test_the_strategies_section_names_the_tutorial_box_as_the_strategy_cards_page_labels_it():
    """The Strategies section said the Strategy cards page shows the tutorials' two tables under *Coming from a
    tutorial?*; the page's box is labelled "Coming from a tutorial? Its words and its recipe here" (seen in Chromium
    in the readme3 audit), so the README now quotes the whole label."""
    src = (README.parent / "app_pages" / "teaching.py").read_text()  # a page runs when imported: read, not imported
    label = re.search(r'st\.expander\("(Coming from a tutorial\?[^"]*)"', src)
    assert label, "the Strategy cards page no longer has its tutorial box"
    assert f"under *{label.group(1)}*," in readme()


def test_the_performance_and_classroom_timings_say_when_they_were_measured():
    """The Performance section's CPU comparisons beyond its dated tables (the AMX Xeon's and AVX2 EPYC's full_ft
    ratios, tfidf_logreg's serving and thread timings, what a click costs on the pages) and the classroom's
    reconnect times gave a machine but no date (readme3 audit); each now says when (from its bench JSON's
    'started' or 'what', else the commit that measured it)."""
    text = readme()
    perf = text[text.index("## Performance"):text.index("## Tests")]
    for marker in ("On an AMX Xeon (measured", "on an AVX2-only EPYC", "`python -m bench.tfidf_serving`",
                   "`python -m bench.tfidf_threads`", "`bench/pages.json`)", "13 pairs of 500 texts",
                   "6 `--quick` runs and a 3-strategy sweep", "one 3-strategy sweep", "the server's part is"):
        at = perf.index(marker)  # the parenthesis it stands in, or from it to the next one's end
        near = perf[perf.rfind("(", 0, at) if marker.endswith(")") else at:perf.index(")", at + len(marker)) + 1]
        assert re.search(r"\b2026-1[12]-\d\d\b", near), (marker, near)
    at = text.index("4 s after the restart here")
    assert re.search(r"\b2026-1[12]-\d\d\b", text[at:text.index(")", at)]), text[at:at + 120]


def test_the_reports_size_says_when_it_was_measured():
    """Section 6 said the quick-caps launch of four strategies 'makes a 2.0 MB report' (measured 2026-12-06, e1dc0ff);
    on 2026-12-07 three of them alone (zero_shot, head_only, tfidf_logreg) made 2.1 MB, the report having gained
    sections since (readme3 audit). A size that moves as the report grows says when it was taken."""
    text = readme()
    at = text.index("opens offline: the quick-caps launch")
    said = text[at:text.index(";", at)]
    assert "makes a" not in said
    assert re.search(r"2\.0 MB report on 2026-12-06", said), said


def test_the_reports_sections_are_listed_in_the_order_the_report_writes_them():
    """Section 6 lists the HTML report's parts 'in this order', and had *Memory while training* right after the
    results tables, before *Runs without a result* and the line on each strategy; report.build_html writes the runs
    without a result, then the strategies, then the memory table, then the projection (seen in Chromium on a report
    of three runs: Results, The strategies, Memory while training, What training would cost at 100,000 examples)."""
    import inspect

    from bertlab import report

    src = inspect.getsource(report)  # build_html and the body it delegates to
    calls = ("parts.append(_failed_section(", "parts.append(_strategies_section(", "parts.append(_memory_section(",
             "parts.append(_projection_section(")
    assert [src.index(c) for c in calls] == sorted(src.index(c) for c in calls)
    text = readme()
    at = text.index("reads on its own, in this order")
    said = ("(*Runs without a result*)", "a line on each strategy", "(*Memory while training*)",
            "what training would cost at 100,000 examples")
    where = [text.index(s, at) for s in said]
    assert where == sorted(where), dict(zip(said, where))


def test_the_readme_names_every_capture_scene_and_shows_every_screenshot():
    """docs/screenshots/capture.py's scenes are listed in the README's Tests section (`--scene NAME`), and every
    picture in docs/screenshots is shown in the README: a scene or picture added without its line was found only by
    reading both (the prcurve scene and its picture, the train scene)."""
    root = README.parent
    source = (root / "docs" / "screenshots" / "capture.py").read_text()
    choices = re.search(r'"--scene", choices=\(([^)]*)\)', source)
    scenes = set(re.findall(r'"([a-z-]+)"', choices.group(1))) - {"default"}
    assert {"dapt", "curves", "train"} <= scenes  # the parse found the list
    text = readme()
    assert [s for s in sorted(scenes) if f"`--scene {s}" not in text] == []
    pictures = sorted(p.name for p in (root / "docs" / "screenshots").glob("*.png"))
    assert "train.png" in pictures
    assert [p for p in pictures if f"(docs/screenshots/{p})" not in text] == []


def test_the_rare_comments_the_readme_describes_are_1500_with_3_percent_abusive():
    """The precision-recall picture's data (docs/examples/make_rare_comments.py), as its caption gives it: 1,500
    comments, 3% 'abusive', the same every time (the caption's numbers are of that file)."""
    sys.path.insert(0, str(README.parent / "docs" / "examples"))
    try:
        import make_rare_comments
    finally:
        sys.path.pop(0)
    rows = make_rare_comments.rows()
    assert len(rows) == 1500 and sum(label == "abusive" for _, label in rows) == 45
    assert rows == make_rare_comments.rows()
    assert "1,500 made-up comments, 3% abusive" in readme()


def test_the_precision_recall_sections_example_is_the_launch_its_picture_shows():
    """Compare's precision-recall bullet measured its example on 2,000 templated comments that no script here makes
    (full_ft after one epoch 'ranked them well', AP 0.83), while the caption of the section's picture, on the
    repository's own 3%-abusive comments and the same recipe, gave full_ft 0.101, 'barely above' random: the same
    run read both ways. The bullet's example is the picture's launch: each average precision it gives is the
    caption's."""
    text = readme()
    start = text.index("* **Precision against recall, one class (test set)**")
    bullet = text[start:text.index(" * **", start + 1)]
    caption = text[text.index("*Precision against recall on a rare class"):]
    caption = caption[:caption.index(".*")]
    assert "make_rare_comments.py" in bullet
    aps = re.findall(r"AP (\d\.\d+)", bullet)
    assert aps and all(ap in caption for ap in aps), (aps, caption)


def test_the_rare_comment_examples_of_the_answer_and_of_run_name_the_generator_they_were_measured_on():
    """The answer's weakest-class sentence and `run`'s per-class precision gave examples on '2,000 made-up comments,
    3% abusive' that no script here makes (tfidf_logreg 'finds 50% of the 12 abusive test texts', zero_shot 'found 8
    of the 12'): each now names docs/examples/make_rare_comments.py, the file of 1,500 comments it was measured on,
    and the launch."""
    text = readme()
    start = text.index("Its weakest class: head_only finds")
    weakest = text[start:text.index("not where a strategy ran at several seeds", start)]
    start = text.index("a run that finds more of a rare class by giving its answer to many texts shows it")
    precision = text[start:text.index("then each run's average precision", start)]
    for example in (weakest, precision):
        assert "`docs/examples/make_rare_comments.py`'s 1,500 made-up" in example, example
        assert "run --dataset rare_comments.csv --quick" in example and "2026-" in example, example
    assert "2,000 made-up comments" not in text


def test_runs_output_and_precision_recall_are_said_to_give_the_threshold_chosen_on_validation_texts():
    """`run`'s output and Comparison.precision_recall() gained the threshold chosen on validation texts and the test
    precision and recall at it (89f4153), said in the Compare bullet; the README's own sentences on `run`'s output and
    on precision_recall() still named only the precision at 90% recall read off the test curve."""
    text = readme()
    on_run = text[text.index("rarest class and its precision at 90% recall with the probability that gets there"):]
    assert "the threshold chosen on its validation texts and the test precision and recall at it" in on_run[:300]
    api = text[text.index("c.precision_recall() #"):]
    assert "the threshold chosen on validation texts with the test precision and recall at it" in api[:300]
