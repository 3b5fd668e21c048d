"""Other encoder families than BERT: what a user online picks besides the packaged MiniLM (distilbert-base-uncased,
roberta-base, xlm-roberta-base, google/electra-base-discriminator, albert-base-v2, microsoft/deberta-v3-base,
answerdotai/ModernBERT-base). Each is built here as a tiny random model of its architecture, saved with the packaged
model's tokenizer, and run through every strategy."""

from __future__ import annotations

import pytest
import torch

from bertlab import models
from bertlab.engine import param_groups
from bertlab.predict import Predictor
from bertlab.runner import execute_run
from bertlab.store import FAILED, SUCCEEDED, RunStore
from bertlab.strategies import make_config

ARCHS = ["distilbert", "roberta", "xlm-roberta", "electra", "albert", "deberta-v2", "deberta-v3", "modernbert"]
# Where each keeps its layers, written out here so that the tests do not take models.layer_stack's word for it
STACKS = {"distilbert": "transformer.layer", "roberta": "encoder.layer", "xlm-roberta": "encoder.layer",
          "electra": "encoder.layer", "deberta-v2": "encoder.layer", "deberta-v3": "encoder.layer",
          "modernbert": "layers"}
TRAINED = ["full_ft", "scratch", "partial_ft", "lora", "dapt"]


def _config(arch: str, tok):
    import transformers as t

    v, pad = tok.vocab_size, tok.pad_token_id
    small = dict(vocab_size=v, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
    return {
        "distilbert": lambda: t.DistilBertConfig(vocab_size=v, dim=32, n_layers=2, n_heads=2, hidden_dim=64,
                                                 max_position_embeddings=128),
        # RoBERTa numbers positions after the padding index: 2 more than the longest text
        "roberta": lambda: t.RobertaConfig(**small, max_position_embeddings=130, pad_token_id=pad),
        "xlm-roberta": lambda: t.XLMRobertaConfig(**small, max_position_embeddings=130, pad_token_id=pad),
        "electra": lambda: t.ElectraConfig(**small, embedding_size=16, max_position_embeddings=128),
        "albert": lambda: t.AlbertConfig(**small, embedding_size=16, max_position_embeddings=128),
        "deberta-v2": lambda: t.DebertaV2Config(**small, max_position_embeddings=128),
        # as microsoft/deberta-v3-base: relative attention with its own position embeddings and their norm
        "deberta-v3": lambda: t.DebertaV2Config(**small, max_position_embeddings=128, relative_attention=True,
                                                position_buckets=32, norm_rel_ebd="layer_norm",
                                                pos_att_type=["p2c", "c2p"], position_biased_input=False,
                                                share_att_key=True),
        "modernbert": lambda: t.ModernBertConfig(**small, max_position_embeddings=128, pad_token_id=pad,
                                                 cls_token_id=tok.cls_token_id, sep_token_id=tok.sep_token_id,
                                                 bos_token_id=tok.cls_token_id, eos_token_id=tok.sep_token_id),
    }[arch]()


@pytest.fixture(scope="module", params=ARCHS)
def arch_model(request, tmp_path_factory) -> tuple[str, str]:
    """(architecture, directory) of a random 2-layer, hidden-32 model of that architecture (safetensors)."""
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(models.default_model_path())
    d = tmp_path_factory.mktemp(request.param)
    torch.manual_seed(0)
    AutoModel.from_config(_config(request.param, tok)).save_pretrained(d, safe_serialization=True)
    tok.save_pretrained(d)
    return request.param, str(d)


def _run(model: str, data, name: str, **kw):
    store = RunStore()
    base = {"epochs": 1, "batch_size": 8, "max_length": 32}
    if name not in ("zero_shot", "head_only"):
        base["learning_rate"] = 1e-3
    rid = store.create_run(make_config(name, model=model, data=data, **{**base, **kw}))
    status = execute_run(store, rid)
    return store, rid, status


def _stack(clf, arch: str) -> list:
    """The classifier's layers, found by the path written above (not by models.layer_stack)."""
    m = clf.base_model
    for part in STACKS[arch].split("."):
        m = getattr(m, part)
    return list(m)


# scratch twice more: pretrained as a masked LM first, from a random head (with the checkpoint's vocabulary, and
# with a new one), not dapt's head read from the checkpoint
SCRATCH_MLM = {"scratch_mlm": {"options": {"mlm_epochs": 1}},
               "scratch_mlm_vocab": {"options": {"mlm_epochs": 1}, "new_vocab": True, "vocab_size": 500}}


@pytest.mark.parametrize("name", ["zero_shot", "head_only", *TRAINED, *SCRATCH_MLM])
def test_every_strategy_runs_and_answers_on_another_architecture(arch_model, tiny_data, name):
    arch, model = arch_model
    if arch == "albert" and name == "partial_ft":
        pytest.skip("ALBERT shares one layer's weights across its depth: the next test checks the refusal")
    store, rid, status = _run(model, tiny_data, "scratch" if name in SCRATCH_MLM else name,
                              **SCRATCH_MLM.get(name, {}))
    run = store.get(rid)
    assert status == SUCCEEDED, run.traceback or run.error
    assert 0.0 <= run.metrics["test_accuracy"] <= 1.0
    if name in TRAINED:
        assert run.costs["trainable_params"] > 0 and run.costs["train_flops"] > 0
    (pred,) = Predictor(store).predict([rid], ["a wonderful film", "an awful film"])
    assert pred.probs.shape == (2, 2) and set(pred.labels) <= {"neg", "pos"}
    if name == "dapt" or name in SCRATCH_MLM:
        assert run.costs["mlm_steps"] > 0 and run.costs["mlm_head_params"] > 0
        assert any("masked-LM phase also trained the MLM head" in n for n in run.notes)
    if name == "scratch_mlm_vocab":
        assert run.costs["mlm_vocab_size"] <= 500


def test_partial_ft_on_albert_says_why_it_cannot(arch_model, tiny_data):
    arch, model = arch_model
    if arch != "albert":
        pytest.skip("ALBERT only")
    store, rid, status = _run(model, tiny_data, "partial_ft")
    assert status == FAILED
    assert "shares" in store.get(rid).error and store.get(rid).traceback is None


def test_partial_ft_card_on_albert_trains_nothing_and_says_why(arch_model):
    from bertlab import teaching

    arch, model = arch_model
    blocks = teaching.strategy_blocks("partial_ft", model)
    if arch == "albert":
        assert all(b.trained_params == 0 and b.note == teaching.SHARED_LAYERS_NOTE for b in blocks)
        assert teaching.note_meaning(teaching.SHARED_LAYERS_NOTE)
    else:
        assert sum(b.trained_params for b in blocks) > 0


def test_partial_ft_trains_the_top_layer_and_the_whole_head_only(arch_model, tiny_data):
    from bertlab.strategies.partial_ft import encoder_layers

    arch, model = arch_model
    if arch == "albert":
        pytest.skip("refused above")
    store, rid, status = _run(model, tiny_data, "partial_ft", options={"layers": 1})
    run = store.get(rid)
    assert status == SUCCEEDED, run.traceback or run.error
    clf = models.load_classifier(model, ["neg", "pos"])
    base = clf.base_model
    assert [id(b) for b in encoder_layers(clf)] == [id(b) for b in _stack(clf, arch)]
    top = sum(p.numel() for p in _stack(clf, arch)[-1].parameters())
    outside = sum(p.numel() for n, p in clf.named_parameters() if not n.startswith(clf.base_model_prefix + "."))
    pooler = sum(p.numel() for p in (getattr(base, "pooler", None) or torch.nn.Identity()).parameters())
    after = sum(p.numel() for n, p in base.named_parameters() if "final_norm" in n)  # ModernBERT's, above the layers
    # below the layers nothing trains: ELECTRA's embedding projection and DeBERTa-v3's relative positions and
    # their norm included
    assert run.costs["trainable_params"] == top + outside + pooler + after
    assert any("top 1 of 2" in n for n in run.notes)


def test_lora_trains_every_new_head_module_beside_the_adapters(arch_model, tiny_data):
    """DistilBERT's pre_classifier, DeBERTa's pooler and ModernBERT's head are new, random weights between the
    encoder and the classifier: frozen, the head would read random features."""
    arch, model = arch_model
    store, rid, status = _run(model, tiny_data, "lora", options={"r": 2})
    run = store.get(rid)
    assert status == SUCCEEDED, run.traceback or run.error
    clf = models.load_classifier(model, ["neg", "pos"])
    outside = sum(p.numel() for n, p in clf.named_parameters() if not n.startswith(clf.base_model_prefix + "."))
    pooler = sum(p.numel() for p in (getattr(clf.base_model, "pooler", None) or torch.nn.Identity()).parameters())
    assert run.costs["trainable_params"] > outside + pooler  # the adapters come on top
    adapters = run.costs["trainable_params"] - outside - pooler
    # rank 2 on the attention projections of 2 layers of hidden 32: q, k, v as three (2 x (32 + 32)), or
    # ModernBERT's fused Wqkv (32 -> 96) as one 2 x (32 + 96); ALBERT's 2 layers are one layer's weights run twice
    per_layer = 2 * (32 + 96) if arch == "modernbert" else 3 * 2 * 64
    assert adapters == (1 if arch == "albert" else 2) * per_layer


def test_head_lr_reaches_every_head_module_lora_trains(arch_model):
    """Built as lora builds it (its targets and head modules): the head's trained copies take head_lr, the adapters
    and BERT-style poolers the learning rate."""
    from peft import LoraConfig, TaskType, get_peft_model

    from bertlab.strategies.lora import TARGETS, head_modules

    _, model = arch_model
    base = models.load_classifier(model, ["neg", "pos"])
    outside = sum(p.numel() for n, p in base.named_parameters() if not n.startswith(base.base_model_prefix + "."))
    peft = get_peft_model(base, LoraConfig(task_type=TaskType.SEQ_CLS, r=2, target_modules=TARGETS[base.config.model_type],
                                           modules_to_save=head_modules(base)))
    groups = param_groups(peft, 0.01, 1e-3, head_lr=1e-2)
    fast = sum(p.numel() for g in groups if g["lr"] == 1e-2 for p in g["params"])
    assert fast == outside  # every module outside the encoder, once (peft's trained copy)
    assert any(g["lr"] == 1e-3 for g in groups)


def test_layer_decay_gives_each_layer_its_own_rate(arch_model):
    """Embeddings, each layer, then the head: lr x decay^(L+1-depth), whatever the architecture names its stack."""
    arch, model = arch_model
    clf = models.load_classifier(model, ["neg", "pos"])
    rates = sorted({g["lr"] for g in param_groups(clf, 0.01, 1.0, layer_decay=0.5)})
    if arch == "albert":  # one layer's weights at every depth: the encoder moves less, head and pooler at the top
        assert rates == pytest.approx([0.5, 1.0])
        return
    assert rates == pytest.approx([0.125, 0.25, 0.5, 1.0])
    rate = {id(p): g["lr"] for g in param_groups(clf, 0.01, 1.0, layer_decay=0.5) for p in g["params"]}
    for depth, layer in enumerate(_stack(clf, arch), start=1):
        assert {rate[id(p)] for p in layer.parameters()} == {0.5 ** (3 - depth)}
    below = [n for n, p in clf.base_model.named_parameters() if rate[id(p)] == 0.125]
    assert any("embeddings" in n for n in below)
    if arch == "deberta-v3":  # used by every layer, set below them all (partial_ft freezes both)
        assert {"encoder.rel_embeddings.weight", "encoder.LayerNorm.weight"} <= set(below)
    if arch == "electra":
        assert "embeddings_project.weight" in below


def test_no_weight_decay_on_any_architectures_norms(arch_model):
    _, model = arch_model
    clf = models.load_classifier(model, ["neg", "pos"])
    decayed = {id(p) for g in param_groups(clf, 0.01, 1.0) if g["weight_decay"] for p in g["params"]}
    norms = [m for m in clf.modules() if "Norm" in type(m).__name__]  # LayerNorm, DeBERTa's and ModernBERT's own
    assert norms
    for m in norms:
        assert not any(id(p) in decayed for p in m.parameters()), m
    assert all(id(p) not in decayed for n, p in clf.named_parameters() if n.endswith("bias"))
    assert decayed  # the matrices still decay


def test_strategy_diagrams_count_every_weight_of_another_architecture(arch_model):
    """The Strategy cards and the Train page draw the chosen model: its blocks add up to the model, and lora's
    card counts the adapters its run trains."""
    from bertlab import teaching
    from bertlab.strategies import REGISTRY

    arch, model = arch_model
    clf = models.load_classifier(model, ["neg", "pos"])
    parts = dict(teaching.model_parts(model, 2))
    assert sum(parts.values()) == sum(p.numel() for p in clf.parameters())
    assert parts["embeddings"] >= clf.base_model.get_input_embeddings().weight.numel()
    if arch != "albert":  # each layer drawn is that layer (ModernBERT's final norm drawn with the top one)
        sizes = [sum(p.numel() for p in layer.parameters()) for layer in _stack(clf, arch)]
        sizes[-1] += sum(p.numel() for n, p in clf.base_model.named_parameters() if n.startswith("final_norm."))
        assert [parts[f"layer {i}"] for i in range(len(sizes))] == sizes
    pooler = getattr(clf.base_model, "pooler", None)
    assert parts["pooler"] == sum(p.numel() for p in (pooler or torch.nn.Identity()).parameters())
    # scratch with a new vocabulary of 500 tokens: the card's total is a random model of that vocabulary's
    new = models.load_classifier(model, ["neg", "pos"], pretrained=False, config_overrides={"vocab_size": 500})
    drawn = sum(b.params for b in teaching.strategy_blocks("scratch", model, {}, 2, new_vocab=500))
    assert drawn == sum(p.numel() for p in new.parameters())
    for name in REGISTRY:
        assert teaching.strategy_blocks(name, model)
    card = teaching.strategy_blocks("lora", model, {"r": 2})
    per_layer = 2 * (32 + 96) if arch == "modernbert" else 3 * 2 * 64
    assert sum(b.trained_params for b in card if b.state == teaching.ADAPTER) == (1 if arch == "albert" else 2) * per_layer


def test_train_page_and_strategy_cards_draw_another_architecture(arch_model, tiny_data):
    """What a user online sees after typing distilbert-base-uncased or answerdotai/ModernBERT-base (stand-ins
    here): every strategy's panel on the Train page and every card, with no error."""
    from dataclasses import asdict

    from bertlab.strategies import REGISTRY
    from tests.test_app_pages import app_on, no_problems

    arch, model = arch_model
    if arch not in ("distilbert", "modernbert"):
        pytest.skip("two architectures whose layers are not encoder.layer are enough for the pages")
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(model).run()
    at.multiselect(key="keep_strategies").set_value(sorted(REGISTRY)).run()
    no_problems(at)
    assert next(b for b in at.button if b.label.startswith("Launch")).disabled is False
    for name in sorted(REGISTRY):
        cards = app_on("app_pages/teaching.py", {"keep_tc_model": model, "keep_tc_strategy": name})
        no_problems(cards)


def test_a_fine_tuned_model_of_another_architecture_exports_to_onnx_that_answers_like_pytorch(arch_model, tiny_data):
    """The Playground's CPU path and the export's model.onnx: traced, then checked against PyTorch's answers (the
    export refuses a graph that answers differently)."""
    import zipfile

    from bertlab.export import export_model_zip

    pytest.importorskip("onnxruntime")
    _, model = arch_model
    store, rid, status = _run(model, tiny_data, "full_ft")
    assert status == SUCCEEDED
    with zipfile.ZipFile(export_model_zip(store, rid, onnx=True)) as z:
        assert f"{rid}/model.onnx" in z.namelist()


def test_flops_count_every_matrix_a_token_goes_through_as_often_as_it_does(arch_model):
    """6 x N x T needs N as a token meets it: ALBERT's one layer at each of its 2 depths (it was counted once, 11x
    too few FLOPs on albert-base-v2's 12 layers), ELECTRA's projection of its embeddings (left out for its name)."""
    from bertlab.costs import non_embedding_params

    arch, model = arch_model
    clf = models.load_classifier(model, ["neg", "pos"])
    tables = {id(p) for m in clf.modules() if isinstance(m, torch.nn.Embedding) for p in m.parameters()}
    # ModernBERT's and BERT's embedding norms count as the embedding stage, as they always did
    stage = {id(p) for n, p in clf.named_parameters() if ".embeddings." in f".{n}" and id(p) not in tables}
    once = sum(p.numel() for p in clf.parameters() if id(p) not in tables and id(p) not in stage)
    if arch == "albert":
        shared = sum(p.numel() for p in clf.base_model.encoder.albert_layer_groups.parameters())
        assert non_embedding_params(clf) == once + shared  # the second depth runs it again
    else:
        assert non_embedding_params(clf) == once


def test_attention_flops_read_every_familys_depth_and_width(arch_model):
    """Attention's FLOPs need the layers that run it and their width, wherever a family's config keeps them
    (DistilBERT's n_layers and dim; ALBERT's one shared layer runs at both depths): 2 layers of 32 for each tiny
    model here, on the classifier, on its encoder (zero_shot and head_only read the config) and under LoRA."""
    from peft import LoraConfig, TaskType, get_peft_model

    from bertlab import embeddings
    from bertlab.costs import attention_shape
    from bertlab.strategies.lora import TARGETS, head_modules

    _, model = arch_model
    clf = models.load_classifier(model, ["neg", "pos"])
    assert attention_shape(clf) == attention_shape(clf.base_model) == embeddings.encoder_attention(model) == (2, 32)
    pm = get_peft_model(clf, LoraConfig(task_type=TaskType.SEQ_CLS, r=2, target_modules=TARGETS[clf.config.model_type],
                                        modules_to_save=head_modules(clf)))
    assert attention_shape(pm) == (2, 32)


def test_lora_flops_count_each_adapters_weight_gradient_as_often_as_its_layer_runs(arch_model):
    """The backward computes the adapters' weight gradients at every depth their layer runs: ALBERT's adapters sit
    in its one shared layer, run at each of its 2 depths (they were counted once)."""
    from peft import LoraConfig, TaskType, get_peft_model

    from bertlab.costs import count_params, non_embedding_params
    from bertlab.strategies import get_strategy
    from bertlab.strategies.lora import TARGETS, head_modules

    arch, model = arch_model
    clf = models.load_classifier(model, ["neg", "pos"])
    pm = get_peft_model(clf, LoraConfig(task_type=TaskType.SEQ_CLS, r=2, target_modules=TARGETS[clf.config.model_type],
                                        modules_to_save=head_modules(clf)))
    adapters = sum(p.numel() for n, p in pm.named_parameters() if "lora_" in n)
    head = sum(p.numel() for n, p in pm.named_parameters() if p.requires_grad and "lora_" not in n)
    depth = 2 if arch == "albert" else 1  # ALBERT's 2 layers are one layer's weights
    trainable, total = count_params(pm)
    tokens = 1000
    grads = get_strategy("lora").train_flops(pm, tokens, trainable, total) - 4 * non_embedding_params(pm) * tokens
    assert grads == pytest.approx(2 * tokens * (depth * adapters + head))


@pytest.mark.parametrize("arch", ["bert", "distilbert"])
def test_a_fine_tuned_classifier_checkpoint_gets_a_new_head_with_a_note(arch, tiny_data, tmp_path):
    """A review: someone's fine-tuned 3-class checkpoint, on 2-class data, failed full_ft, lora, partial_ft and
    dapt with transformers' "ignore_mismatched_sizes" error (its report shown nowhere); one with a head of the same
    size kept that head, trained on other labels, silently."""
    import transformers as t

    tok = t.AutoTokenizer.from_pretrained(models.default_model_path())
    for classes in (3, 2):
        cfg = (t.BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                            intermediate_size=64, max_position_embeddings=128, num_labels=classes)
               if arch == "bert" else _config("distilbert", tok))
        cfg.num_labels = classes
        torch.manual_seed(0)
        clf = t.AutoModelForSequenceClassification.from_config(cfg)
        with torch.no_grad():
            clf.classifier.weight.fill_(0.5)  # the old head, told apart from a new one
        d = tmp_path / f"{arch}-{classes}"
        clf.save_pretrained(d, safe_serialization=True)
        tok.save_pretrained(d)
        notes: list[str] = []
        net = models.load_classifier(str(d), ["neg", "pos"], notes=notes)
        assert net.classifier.weight.shape[0] == 2 and not torch.any(net.classifier.weight == 0.5)
        said = "classifier (of 3 classes):" if classes == 3 else "classifier:"
        assert len(notes) == 1 and f"the checkpoint is itself a {said}" in notes[0], notes
        assert "a new one for these 2 classes starts from random weights" in notes[0]
        if classes == 3:
            for name in ("full_ft", "lora"):
                store, rid, status = _run(str(d), tiny_data, name)
                assert status == SUCCEEDED, store.get(rid).error
                assert any("the checkpoint is itself a classifier (of 3 classes)" in n for n in store.get(rid).notes)
    # a body weight of another shape than the config says is a broken checkpoint: refused, not restarted unsaid
    import json

    from bertlab.errors import ModelError

    broken = tmp_path / "bert-3"
    cfg_json = json.loads((broken / "config.json").read_text()) if arch == "bert" else None
    if cfg_json is not None:
        cfg_json["intermediate_size"] = 48
        (broken / "config.json").write_text(json.dumps(cfg_json))
        with pytest.raises(ModelError, match="weights of another shape than its config says: bert.encoder"):
            models.load_classifier(str(broken), ["neg", "pos"])
    # an encoder without a head (the packaged model's kind): a new head, as ever, and nothing said
    notes = []
    models.load_classifier(str(models.default_model_path()), ["neg", "pos"], notes=notes)
    assert notes == []
    # a masked-LM ModernBERT (as answerdotai/ModernBERT-base ships): its classifier reuses the pretrained head.dense
    # and head.norm, kept, and it is no one's classifier (a diff review: said so, and those weights restarted)
    mlm = t.ModernBertForMaskedLM(_config("modernbert", tok))
    with torch.no_grad():
        mlm.head.dense.weight.fill_(0.25)
    mlm.save_pretrained(tmp_path / "modernbert-mlm", safe_serialization=True)
    tok.save_pretrained(tmp_path / "modernbert-mlm")
    net = models.load_classifier(str(tmp_path / "modernbert-mlm"), ["neg", "pos"], notes=notes)
    assert notes == [] and torch.all(net.head.dense.weight == 0.25)


def test_cards_do_not_say_a_model_without_a_pooler_trains_one(arch_model):
    """A review: the full_ft card of a RoBERTa said it "trains all encoder layers, embeddings, pooler and the new
    head", of a model with no pooler (its head does that work)."""
    from bertlab import teaching

    arch, model = arch_model
    has_pooler = arch == "albert"  # of these, only ALBERT keeps BERT's pooler in its classifier
    assert (dict(teaching.model_parts(model)).get("pooler", 0) > 0) is has_pooler
    for name in ("full_ft", "partial_ft", "lora"):
        card = teaching.card(name, model)
        words = card.trains
        assert ("pooler" in words) is has_pooler, words
        assert words.endswith("the new head")
        # nor in the card's other lines (a diff review: lora's summary and "Frozen: ... but the pooler's")
        assert ("pooler" in card.summary + card.frozen) is (has_pooler and name != "full_ft"), card
    assert "pooler" in teaching.card("full_ft").trains  # the packaged MiniLM has one


def test_roberta_max_length_stops_where_its_positions_after_the_padding_index_do(tiny_csv, tmp_path, capsys):
    """RoBERTa, XLM-R and CamemBERT number positions from pad_token_id + 1: roberta-base's 514 position embeddings
    read 512 tokens. bertlab allowed all of them and every run failed ("index 130 is out of bounds for dimension 1
    with size 130" on a RoBERTa of 130); the form's and the CLI's limit is now what the model reads."""
    import pandas as pd
    from transformers import AutoModel, AutoTokenizer

    from bertlab.cli import main
    from bertlab.config import DataConfig
    from bertlab.errors import ConfigError

    tok = AutoTokenizer.from_pretrained(models.default_model_path())
    d = tmp_path / "roberta"
    torch.manual_seed(0)
    cfg = _config("roberta", tok)  # 130 position embeddings, numbered after the padding index (pad_token_id 0)
    AutoModel.from_config(cfg).save_pretrained(d, safe_serialization=True)
    tok.save_pretrained(d)
    usable = 130 - (cfg.pad_token_id + 1)
    assert models.max_positions(str(d)) == models.known_max_positions(str(d)) == usable
    with pytest.raises(ConfigError, match=f"max_length 130 is beyond the model's {usable} positions .*; use at "
                                          f"most {usable}"):
        models.check_max_length(str(d), 130)
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "head_only", "--model", str(d),
                 "--max-length", "130"]) == 2
    assert f"use at most {usable}" in capsys.readouterr().err and RunStore().list_runs() == []
    # at the limit, texts longer than it run: every position embedding a token can reach exists
    long = tmp_path / "long.csv"
    pd.DataFrame({"text": [" ".join(["a great film"] * 60 + [str(i)]) for i in range(24)],
                  "label": ["pos", "neg"] * 12}).to_csv(long, index=False)
    store, rid, status = _run(str(d), DataConfig(source="file", name=str(long)), "head_only", max_length=usable)
    assert status == SUCCEEDED, store.get(rid).error


def test_partial_ft_on_albert_is_refused_before_launch_and_not_offered_again(arch_model, tiny_data, tiny_csv,
                                                                              bertlab_home, capsys):
    """partial_ft could be launched on ALBERT only to fail as it started ("shares one layer's weights..."), and
    Compare then offered Run again, which could only fail again. Now the CLI refuses it before storing a run, the
    Train page says so under it and keeps Launch off (the choice kept), and Compare offers no Run again."""
    from dataclasses import asdict

    from bertlab.cli import main
    from bertlab.strategies import REGISTRY
    from tests.test_app_pages import app_on

    arch, model = arch_model
    if arch != "albert":
        pytest.skip("ALBERT only")
    why = REGISTRY["partial_ft"].refusal(model)
    assert why is not None and "shares one layer's weights across its 2 layers" in why
    assert [n for n in REGISTRY if REGISTRY[n].refusal(model)] == ["partial_ft"]
    assert main(["run", "--dataset", str(tiny_csv), "--strategies", "full_ft", "partial_ft", "--model", model,
                 "--max-length", "32"]) == 2
    assert f"--strategies partial_ft: {why}" in capsys.readouterr().err
    assert RunStore().list_runs() == []
    at = app_on("app_pages/train.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_model").set_value(model).run()
    at.multiselect(key="keep_strategies").set_value(["full_ft", "partial_ft"]).run()
    assert not at.exception
    assert any("shares one layer" in e.value for e in at.error)
    assert any("Launch waits until **partial_ft** is taken out" in c.value for c in at.caption)
    assert at.multiselect(key="keep_strategies").value == ["full_ft", "partial_ft"]
    assert next(b for b in at.button if b.label.startswith("Launch")).disabled
    at.multiselect(key="keep_strategies").set_value(["full_ft"]).run()
    assert not at.error and not next(b for b in at.button if b.label.startswith("Launch")).disabled
    # a run stored before (or by the library directly) fails as it starts; Compare offers no Run again for it
    store, rid, status = _run(model, tiny_data, "partial_ft")
    assert status == FAILED
    cmp_ = app_on("app_pages/compare.py")
    assert not cmp_.exception
    assert not any(b.label == "Run again" for b in cmp_.button)
    assert any(c.value.startswith(":material/block: No Run again") for c in cmp_.caption)


def test_albert_diagram_says_its_one_layer_runs_at_every_depth(arch_model):
    """ALBERT's diagrams drew "layer 0 · 140.8k" above the embeddings alone: a 4-layer ALBERT looked like 1 layer."""
    from bertlab import teaching

    arch, model = arch_model
    names = [n for n, _ in teaching.model_parts(model) if n.startswith("layer ")]
    if arch == "albert":
        assert names == ["layer 0 (shared, run 2 times)"]
        card = teaching.card("full_ft", model)
        assert "layer 0 (shared, run 2 times)" in card.svg and "layer 0 (shared, run 2 times)" in card.alt
    else:
        assert names == ["layer 0", "layer 1"]


def test_the_learning_curves_page_refuses_partial_ft_on_albert_before_the_sweep(arch_model, tiny_data, bertlab_home):
    """The Train page and the CLI refused partial_ft on ALBERT before launch, but the Learning curves page queued its
    points, each to fail as it started. Now the page says why under the form and "Run the sweep" waits."""
    from dataclasses import asdict

    from bertlab.strategies import REGISTRY
    from tests.test_app_pages import app_on

    arch, model = arch_model
    if arch != "albert":
        pytest.skip("ALBERT only")
    at = app_on("app_pages/sweep.py", {"keep_data_config": asdict(tiny_data)})
    at.text_input(key="keep_sw_model").set_value(model).run()
    at.multiselect(key="keep_sw_strategies").set_value(["head_only", "partial_ft"]).run()
    assert not at.exception
    assert any("cannot run on this ALBERT model" in e.value and "shares one layer" in e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Run the sweep").disabled
    assert RunStore().list_runs() == []
    at.multiselect(key="keep_sw_strategies").set_value(["head_only"]).run()
    assert not at.exception and not at.error
    assert not next(b for b in at.button if b.label == "Run the sweep").disabled
    assert REGISTRY["partial_ft"].refusal(model) is not None


def test_partial_ft_refusal_reads_the_models_config_once(arch_model, monkeypatch):
    """refusal() read the config again on every call after the cached model_shares_layers: Compare's live view asks
    it for every stopped run at each refresh, the Train page on every rerun, and a hub model's config is a request
    online. Now the config is read once per model however often it is asked."""
    from bertlab.strategies import REGISTRY

    arch, model = arch_model
    if arch != "albert":
        pytest.skip("ALBERT only: the one model partial_ft refuses reads its layer count too")
    reads = []
    real = models.load_config
    monkeypatch.setattr(models, "load_config", lambda m: reads.append(m) or real(m))
    models.model_shares_layers.cache_clear()
    models.layer_count.cache_clear()
    answers = [REGISTRY["partial_ft"].refusal(model) for _ in range(5)]
    assert answers[0] is not None and "across its 2 layers" in answers[0] and len(set(answers)) == 1
    assert len(reads) <= 2  # once for model_shares_layers, once for layer_count: not once per call


def test_an_old_sweep_of_partial_ft_on_albert_is_not_queued_again(arch_model, tiny_data, bertlab_home, capsys,
                                                                   monkeypatch):
    """Review: a sweep stored before partial_ft on ALBERT was refused could still queue its points, each to fail as
    it started: `sweep --sweep-id` resumed the stored plan unchecked, and the Learning curves page's "Run missing and
    failed points again" queued them. Now the CLI refuses before anything is queued (--no-run still reports), and the
    page leaves them out, saying why, and reruns the other strategies' points."""
    from bertlab import sweep
    from bertlab.cli import main
    from bertlab.strategies import REGISTRY
    from tests.test_app_pages import app_on
    from tests.test_pages_sweep import _runs_stay_queued

    arch, model = arch_model
    if arch != "albert":
        pytest.skip("ALBERT only")
    why = REGISTRY["partial_ft"].refusal(model)
    store = RunStore(bertlab_home)
    spec = sweep.SweepSpec(strategies=["tfidf_logreg", "partial_ft"], sizes=[16], seeds=[0], data=tiny_data,
                           model=model)
    sid = sweep.save_sweep(store, spec)  # stored as before the refusal
    assert main(["sweep", "--sweep-id", sid]) == 2
    err = capsys.readouterr().err
    assert f"sweep {sid} plans partial_ft on {model}: {why.rstrip('.')}. Its plan cannot change" in err
    assert "--strategies tfidf_logreg" in err and f"sweep --sweep-id {sid} --no-run" in err
    assert store.list_runs() == []
    assert main(["sweep", "--sweep-id", sid, "--dry-run"]) == 2 and store.list_runs() == []
    assert main(["sweep", "--sweep-id", sid, "--no-run"]) != 2 and store.list_runs() == []

    _runs_stay_queued(monkeypatch)
    at = app_on("app_pages/sweep.py", {"keep_sw_current": sid})
    assert not at.exception
    said = [c.value.replace("\\", "") for c in at.caption]  # common.md escapes the Markdown in it
    assert f":material/block: partial_ft's points are not run again: {why}" in said, said
    next(b for b in at.button if b.label == "Run missing and failed points again").click().run()
    assert not at.exception
    assert [r.strategy for r in store.list_runs()] == ["tfidf_logreg"]
    # with only the refused points left, nothing is offered that could only fail
    assert not any(b.label == "Run missing and failed points again" for b in at.button)
    sub = sweep.submit(type("M", (), {"store": store, "submit": lambda self, todo, batch_id: []})(), spec, sid)
    assert sub.left_out == {"partial_ft": why} and sub.submitted == []
