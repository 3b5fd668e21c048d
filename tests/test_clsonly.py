"""The first-token last layer (bertlab.clsonly) gives the full model's logits and gradients, and only where it applies."""

from __future__ import annotations

import copy

import pytest
import torch
from conftest import make_texts
from torch import nn

from bertlab import clsonly, models
from bertlab.engine import Callbacks, collate, encode, predict_logits, train_classifier

_SMALL = dict(vocab_size=120, hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=64,
              max_position_embeddings=64, num_labels=3)


def _model(kind: str, attn: str = "sdpa") -> nn.Module:
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        RobertaConfig,
        RobertaForSequenceClassification,
    )

    torch.manual_seed(0)
    if kind == "bert":
        cfg = BertConfig(**_SMALL, attn_implementation=attn)
        return BertForSequenceClassification(cfg)
    if kind == "roberta":
        cfg = RobertaConfig(**{**_SMALL, "max_position_embeddings": 80}, pad_token_id=1, attn_implementation=attn)
        return RobertaForSequenceClassification(cfg)
    if kind == "xlm-roberta":
        from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

        cfg = XLMRobertaConfig(**{**_SMALL, "max_position_embeddings": 80}, pad_token_id=1, attn_implementation=attn)
        return XLMRobertaForSequenceClassification(cfg)
    if kind == "electra":  # its head reads the first token too (dense, gelu, then the projection)
        from transformers import ElectraConfig, ElectraForSequenceClassification

        cfg = ElectraConfig(**_SMALL, embedding_size=16, attn_implementation=attn, initializer_range=0.2)  # logits not ~0
        return ElectraForSequenceClassification(cfg)
    cfg = DistilBertConfig(vocab_size=120, dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=64,
                           num_labels=3, attn_implementation=attn, initializer_range=0.2)  # logits not ~0
    return DistilBertForSequenceClassification(cfg)


def _batch(pad_id: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    ids = [[5] + torch.randint(6, 120, (n,), generator=g).tolist() for n in (3, 17, 9, 30, 1)]
    return collate(ids, pad_id)  # padded to 31, with an attention mask


@pytest.mark.parametrize("kind,attn", [("bert", "sdpa"), ("bert", "eager"), ("roberta", "sdpa"),
                                       ("xlm-roberta", "sdpa"), ("electra", "sdpa"), ("distilbert", "sdpa"),
                                       ("distilbert", "eager")])
def test_logits_and_gradients_equal_the_full_model(kind, attn):
    full = _model(kind, attn).eval()  # eval: no dropout, so both paths are deterministic
    fast = copy.deepcopy(full)
    batch, y = _batch(full.config.pad_token_id or 0), torch.tensor([0, 1, 2, 1, 0])
    ref = full(**batch).logits
    nn.functional.cross_entropy(ref, y).backward()
    shapes = []  # what the last layer returns inside the model: one position when the path is taken
    hook = clsonly.last_layer(fast).register_forward_hook(lambda mod, inp, out: shapes.append(tuple(out.shape)))
    with clsonly.first_token_last_layer(fast) as applied:
        got = fast(**batch).logits
        nn.functional.cross_entropy(got, y).backward()
    hook.remove()
    assert applied and shapes == [(5, 1, 32)]
    torch.testing.assert_close(got, ref, atol=1e-6, rtol=1e-5)
    grads = {n: p.grad for n, p in full.named_parameters() if p.grad is not None}
    fast_grads = {n: p.grad for n, p in fast.named_parameters() if p.grad is not None}
    assert grads.keys() == fast_grads.keys() and len(grads) > 20
    for n, g in grads.items():
        torch.testing.assert_close(fast_grads[n], g, atol=1e-6, rtol=1e-5, msg=n)
    # and the padding mask matters: ignoring it would change the answer, so the check above has teeth
    with clsonly.first_token_last_layer(fast):
        unmasked = fast(input_ids=batch["input_ids"]).logits
    assert (unmasked - ref).abs().max() > 1e-4


def test_restored_on_exit_even_after_an_error():
    m = _model("bert")
    layer = clsonly.last_layer(m)
    with pytest.raises(RuntimeError), clsonly.first_token_last_layer(m):
        assert "forward" in vars(layer)
        raise RuntimeError("boom")
    assert "forward" not in vars(layer)
    assert layer(torch.randn(2, 7, 32)).shape == (2, 7, 32)
    with clsonly.first_token_last_layer(m), clsonly.first_token_last_layer(m) as inner:  # nested: harmless
        assert inner
    assert "forward" not in vars(layer)
    assert set(m.state_dict()) == set(_model("bert").state_dict())  # saving sees the plain model


def test_not_applied_where_it_is_not_known_to_be_exact(monkeypatch):
    from transformers import BertConfig, BertForTokenClassification

    token_head = BertForTokenClassification(BertConfig(**_SMALL))  # reads every token: not in the known list
    assert clsonly.last_layer(token_head) is None
    enc = _model("bert").bert  # no classification head at all
    assert clsonly.last_layer(enc) is None
    m = _model("bert")
    m.config._attn_implementation = "flex_attention"
    assert clsonly.last_layer(m) is None
    monkeypatch.setenv("BERTLAB_CLS_ONLY", "0")
    with clsonly.first_token_last_layer(_model("bert")) as applied:
        assert not applied


def test_applies_inside_a_peft_lora_model():
    from peft import LoraConfig, get_peft_model

    base = _model("bert").eval()
    lora = get_peft_model(base, LoraConfig(r=4, target_modules=["query", "value"], task_type="SEQ_CLS"))
    batch = _batch(0)
    shapes = []
    clsonly.last_layer(lora).register_forward_hook(lambda mod, inp, out: shapes.append(tuple(out.shape)))
    with torch.no_grad():
        want = lora(**batch).logits
        with clsonly.first_token_last_layer(lora) as applied:
            got = lora(**batch).logits
    assert applied and shapes == [(5, 31, 32), (5, 1, 32)]
    torch.testing.assert_close(got, want, atol=1e-6, rtol=1e-5)


def test_engine_trains_and_predicts_through_it(tiny_model):
    texts, labels = make_texts(12)
    names = sorted(set(labels))
    y = [names.index(x) for x in labels]
    tok = models.load_tokenizer(tiny_model)
    enc = encode(tok, texts, 32)
    model = models.load_classifier(tiny_model, names, pretrained=True)
    st = train_classifier(model, enc, y, enc, y, names, epochs=1, batch_size=8, lr=1e-3, weight_decay=0.01,
                          warmup_ratio=0.1, grad_clip=1.0, seed=0, device=torch.device("cpu"), dtype=None,
                          pad_id=tok.pad_token_id, callbacks=Callbacks())
    assert st.first_token_last_layer and st.steps == 3
    assert "forward" not in vars(clsonly.last_layer(model))
    fast = predict_logits(model, enc, 8, torch.device("cpu"), None, tok.pad_token_id)
    model.eval()
    with torch.no_grad():
        full = torch.cat([model(**collate(enc.ids[i:i + 8], tok.pad_token_id)).logits for i in range(0, len(enc), 8)])
    torch.testing.assert_close(torch.from_numpy(fast), full, atol=1e-5, rtol=1e-5)
