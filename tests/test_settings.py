"""One name, one default, one check per setting: the configs and the CLI read wordvec.settings."""

import dataclasses

import pytest

from wordvec import cli
from wordvec.errors import ConfigError
from wordvec.settings import PPMI_SVD, REFERENCE, SETTINGS, WORD2VEC, check
from wordvec.train.config import Word2VecConfig
from wordvec.train.ppmi_svd import SVDConfig
from wordvec.train.reference import SkipGramSoftmax


@pytest.mark.parametrize("config,names", [(Word2VecConfig, WORD2VEC), (SVDConfig, PPMI_SVD)])
def test_each_config_declares_exactly_its_settings_with_their_defaults(config, names):
    fields = dataclasses.fields(config)
    assert [f.name for f in fields if "setting" in f.metadata] == list(names)
    for f in fields:
        assert f.default == SETTINGS[f.name].default  # the one default
        assert f.metadata["setting"] is SETTINGS[f.name]


def test_reference_models_take_the_reference_settings():
    import inspect

    params = inspect.signature(SkipGramSoftmax).parameters
    assert set(REFERENCE) <= set(params)


def test_one_check_refuses_the_same_value_everywhere():
    from wordvec.text.encoded import encode_corpus
    from wordvec.text.vocab import count_words

    for call in (lambda: Word2VecConfig(sample=1.5).validate(), lambda: SVDConfig(sample=1.5),
                 lambda: check("sample", 1.5)):
        with pytest.raises(ConfigError, match=r"sample must be in \[0, 1\)"):
            call()
    with pytest.raises(ConfigError, match="min_count must be an integer >= 1"):
        encode_corpus([["a"]], min_count=0)
    with pytest.raises(ConfigError, match="max_vocab_size must be an integer >= 1"):
        count_words([["a"]], max_vocab_size=0)


def test_every_train_flag_comes_from_a_setting_and_states_its_default(capsys):
    try:
        cli.main(["train", "--help"])
    except SystemExit:
        pass
    text = capsys.readouterr().out
    for name in WORD2VEC + PPMI_SVD:
        s = SETTINGS[name]
        if s.flag is None:
            continue
        assert s.flag in text, s.flag
        if s.switch is None:
            shown = s.default_text or (f"{s.default:g}" if isinstance(s.default, float)
                                       else str(s.default))
            assert f"(default {shown})" in " ".join(text.split()), name


def test_cli_and_library_train_the_same_default_model(tmp_path):
    """Without --model the CLI trains what Word2Vec() trains: CBOW, as gensim and the C tool."""
    from wordvec import synthetic
    from wordvec.vectors.formats import load_vectors

    corpus = synthetic.write_corpus(tmp_path / "c.txt", n_words=5_000, seed=1)
    out = tmp_path / "v.wv"
    assert cli.main(["-q", "train", str(corpus), "-o", str(out), "--size", "8", "--epochs",
                     "1", "--workers", "1", "--min-count", "2"]) == 0
    assert load_vectors(out).meta["model"] == Word2VecConfig().model == "cbow"
