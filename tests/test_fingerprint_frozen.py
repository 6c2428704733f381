"""Fingerprint values are frozen: the dedup index in users' corpora stores them, so a speed-up of
``dedup.fingerprint_text`` (or of anchors, sentences, tokens, signatures) must give the very same bytes.

The expected values are SHA-256 prefixes of ``Fingerprint.to_bytes()`` (every field: content hash,
signature, stem count, language, anchors, sentence lengths, settings tag), recorded from the code as
it was before the speed work; a text here is one of each kind that takes its own path (ASCII, NFKC
folding, case and ß, URLs and handles, numbers, quotes and openers, CJK, lone surrogates, a sentence
longer than the uint16 cap). Change them only when a change of the values is meant, with a new
fingerprint format.
"""

import hashlib
import pickle
import struct

import pytest

from dedup import DedupConfig, Fingerprint, fingerprint_text

TEXTS = {
    "empty": "",
    "blank": " \n\t \u00a0 ",
    "english": (
        "DeepSeek released R1 on 20 January 2025. Nvidia lost $589 billion (about 17%) the next day, "
        'said Liang Wenfeng\'s critics in Hangzhou. "The Model Is Cheap," wrote @karpathy on X.\n'
        "See https://api-docs.deepseek.com/news/news250120 and www.example.org/path?q=1. #DeepSeek\n"
        "OpenAI and GPU makers... what now? It cost 5,576,000 dollars; others say 5.576.000."
    ),
    "german": (
        "Das chinesische KI-Start-up DeepSeek hat mit seinem Modell R1 die Börse erschüttert. "
        "Der Aktienkurs von Nvidia fiel um 17 Prozent, das entspricht rund 589 Milliarden Dollar. "
        "„Das ist ein Sputnik-Moment“, sagte Marc Andreessen. Straße, Fußgänger und Maße: ß bleibt.\n"
        "Die Modelle, Modells und Modelle von DeepSeek-V3 kosteten 5,6 Mio. US-Dollar."
    ),
    "unicode": (
        "Ｆｕｌｌｗｉｄｔｈ ＧＰＵ and ﬁnancial ligatures\u00a0with no-break spaces… «Guillemets» "
        "‘single’ — dashes – and • bullets · middle ⅠⅡⅢ roman Ⓐ circled 𝐀𝐁 maths.\n\n"
        "ǅemal titlecase Ǆ and İstanbul. x² ½ ℃ № 10\u202f000."
    ),
    "vietnamese": (
        "Công ty DeepSeek của Trung Quốc đã ra mắt mô hình R1. Ông Lương Văn Phong nói rằng "
        "chi phí chỉ 5,6 triệu USD. Đây là một bước tiến lớn! Các nhà đầu tư ở Hà Nội lo ngại."
    ),
    "russian": (
        "Китайская компания DeepSeek выпустила модель R1. Акции Nvidia упали на 17%. "
        "Об этом сообщает «Коммерсантъ». Лян Вэньфэн основал компанию в Ханчжоу."
    ),
    "cjk": "DeepSeek发布了R1模型。英伟达股价下跌17%。「这是一个里程碑」，梁文锋说。深度求索位于杭州。",
    "quotes_and_breaks": (
        "He said: \"Yes.\" Then she asked (quietly): 'Why?' No answer…\n\n\n"
        "— Next paragraph starts here!) And [Brackets] too; *Stars* and {Braces}."
        "\nLine\nbreaks\nonly\nHere 007 0.5 00012 1.2.3.4"
    ),
    "surrogate": "Broken \udc80 surrogate text with Names Like Paris and 2025 numbers.",
    "long_sentence": "Word " * 14000 + "End. Short one.",
    "handles": "a@bc x#yz @ab #Tag1 mail me at name@host.com or @x, #y and www.z https://q",
}

CONFIGS = {
    "default": DedupConfig(),
    "other": DedupConfig(
        cross_language=False, prefix_bytes=8, min_token_bytes=1, drop_stopwords=False, num_perm=16, seed=3
    ),
}

EXPECTED_DDF2 = {
    ("default", "empty"): "d5083b9023cbe206a9c7a303dcd49851",
    ("default", "blank"): "d5083b9023cbe206a9c7a303dcd49851",
    ("default", "english"): "bb21ad28398b1afc9bc225f144207203",
    ("default", "german"): "443ec41a550d34c52b0a7c11f1e47717",
    ("default", "unicode"): "533b15af5ee4839b5b732628d4b94af6",
    ("default", "vietnamese"): "13cf762f0925e036c1895bba5b4a436f",
    ("default", "russian"): "ac2614b3ac8bc15115a8a389cf7c690e",
    ("default", "cjk"): "ca5c277992fb3eb412646069ac19b537",
    ("default", "quotes_and_breaks"): "1b66a88181ab0deff3a1e56e3cdc5f09",
    ("default", "surrogate"): "51eb1d846ec315f165840b142a61ba6a",
    ("default", "long_sentence"): "d3de0b5b2319a546569e70ef8413858b",
    ("default", "handles"): "7d760fb3717a95118e87f5f22cc52d42",
    ("other", "empty"): "0324d98497ed0638ef8c56f671e71e81",
    ("other", "blank"): "0324d98497ed0638ef8c56f671e71e81",
    ("other", "english"): "ed22d31dcb8efc2e2b3a0b75142b64e2",
    ("other", "german"): "ef72830a85f1fe687b42781bde9c058f",
    ("other", "unicode"): "1b4467cdf9394923dc8b2ded923326d4",
    ("other", "vietnamese"): "73c4f6b4ead43c546ec53c9c764e02e4",
    ("other", "russian"): "b6119d0d91536c3eeddf9ecc0b29a4ed",
    ("other", "cjk"): "466b2db7ae5f72c16f24a836439ce5ce",
    ("other", "quotes_and_breaks"): "35ef1dff6f04a2f0eb6f69115668898d",
    ("other", "surrogate"): "a82cb3aa1faaa24c74d2f2271338bdca",
    ("other", "long_sentence"): "5929cb143c1986b07fabb8bfa2a54da0",
    ("other", "handles"): "6a81f30c4d8e8ed7303df5eef325f770",
}

"""Recorded from format 2 (magic ``DDF2``), before the sentence stems were added: the fields it held
must keep their values in every later format (``ddf2_bytes`` packs them as format 2 did)."""

EXPECTED = {
    ("default", "empty"): "12788422a57ea99517a6fd8df5ed3739",
    ("default", "blank"): "12788422a57ea99517a6fd8df5ed3739",
    ("default", "english"): "f51fd59718b6b21fccb15f1bee00f500",
    ("default", "german"): "a3d9a08add7218c8c035f2c827d3762a",
    ("default", "unicode"): "4a9db49e90d2d67acb4b0e83b37e602c",
    ("default", "vietnamese"): "d400e076fef9448e4b89e137e7a90a2d",
    ("default", "russian"): "01aa908c201555460e537df36726143c",
    ("default", "cjk"): "c488a135994c183347f0699ba151cb74",
    ("default", "quotes_and_breaks"): "3998e8d8c1dae2b9ff8398184bf19cb8",
    ("default", "surrogate"): "26c665eb9ed605a562ff23e19cac8e93",
    ("default", "long_sentence"): "61f0cb51069904e81b7e77c74b956286",
    ("default", "handles"): "e36b23d01b3e2c99857f9b638ec6fb97",
    ("other", "empty"): "ec2498ad40d7316bfda07df5d5f57b81",
    ("other", "blank"): "ec2498ad40d7316bfda07df5d5f57b81",
    ("other", "english"): "b1520950908e26d051b91f0dd7175dd7",
    ("other", "german"): "5b5bc85e0207014409e2fd06afb0abcc",
    ("other", "unicode"): "21e7dff3e7b4377f440a3909518ca7e3",
    ("other", "vietnamese"): "420ced060dfc02c33b32efb4b1c685b5",
    ("other", "russian"): "4650210683a90003b687904f786660c8",
    ("other", "cjk"): "2256b3f9a5dc685ae9ba752cc43beb67",
    ("other", "quotes_and_breaks"): "d56d631172b0c28e7615041dbdd95b5a",
    ("other", "surrogate"): "8cb487bff2c30c5ef65adcd37fbd5441",
    ("other", "long_sentence"): "8a1acc4bede94421c7ba637a98435212",
    ("other", "handles"): "546836c38dd61380300a5db5ad8d90f9",
}
"""Format 3 (``DDF3``): 32-bit counts, and the sentence stems of ``dedup.align``."""


def ddf2_bytes(fp) -> bytes:
    """The fields of ``fp`` in the layout of fingerprint format 2."""
    sentences = fp.sentences[:65535]
    head = struct.pack(
        "<4sIHHHI16s2s",
        b"DDF2",
        fp.tag,
        len(fp.signature),
        len(fp.anchors),
        len(sentences),
        fp.stems,
        fp.content_hash,
        fp.lang.encode("ascii", "replace")[:2].ljust(2, b" "),
    )
    return (
        head
        + fp.signature.astype("<u4").tobytes()
        + fp.anchors.astype("<u8").tobytes()
        + sentences.astype("<u2").tobytes()
    )


@pytest.mark.parametrize("config_name, text_name", sorted(EXPECTED))
def test_fingerprint_bytes_are_the_recorded_ones(config_name, text_name):
    fp = fingerprint_text(TEXTS[text_name], "de", CONFIGS[config_name])
    assert hashlib.sha256(fp.to_bytes()).hexdigest()[:32] == EXPECTED[config_name, text_name]


@pytest.mark.parametrize("config_name, text_name", sorted(EXPECTED_DDF2))
def test_the_fields_of_format_2_keep_their_values(config_name, text_name):
    fp = fingerprint_text(TEXTS[text_name], "de", CONFIGS[config_name])
    assert hashlib.sha256(ddf2_bytes(fp)).hexdigest()[:32] == EXPECTED_DDF2[config_name, text_name]


@pytest.mark.parametrize("text_name", sorted(TEXTS))
def test_a_pickled_fingerprint_comes_back_with_the_same_attributes(text_name):
    fp = fingerprint_text(TEXTS[text_name], "de", DedupConfig())
    back = pickle.loads(pickle.dumps(fp, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(back, Fingerprint) and back == fp and back.to_bytes() == fp.to_bytes()
    for name in (
        "content_hash",
        "signature",
        "stems",
        "lang",
        "anchors",
        "tag",
        "sentences",
        "sentence_stems",
        "stems_per_sentence",
    ):
        mine, theirs = getattr(back, name), getattr(fp, name)
        assert type(mine) is type(theirs)
        if hasattr(theirs, "dtype"):
            assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
            assert (mine == theirs).all()
        else:
            assert mine == theirs
