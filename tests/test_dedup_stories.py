"""Small news texts about DeepSeek, written for the dedup tests (our own wording, no third-party text).

Each story comes in versions that read like two independent machine translations of one source
article (same facts and names, different word choice and order). Different stories share the
topic, names and numbers on purpose: they must never be merged.
"""

# --- Story R1: DeepSeek publishes R1 (two German "translations", one English original) ---

R1_DE_A = """DeepSeek hat am Montag sein neues Sprachmodell R1 veröffentlicht, das nach Angaben des chinesischen Unternehmens bei Mathematik- und Programmieraufgaben mit dem Modell o1 von OpenAI mithalten kann.
Das Start-up aus Hangzhou stellt die Gewichte des Modells unter der MIT-Lizenz zur Verfügung, sodass Entwickler es kostenlos herunterladen, verändern und kommerziell nutzen dürfen.
Laut dem technischen Bericht wurde R1 vor allem mit bestärkendem Lernen trainiert. Das Modell lernt dabei, seine Antworten Schritt für Schritt zu begründen, bevor es eine Lösung ausgibt.
Neben dem großen Modell veröffentlichte DeepSeek sechs kleinere, destillierte Varianten, die auf Llama und Qwen basieren und auf gewöhnlichen Grafikkarten laufen.
Die Nutzung über die Programmierschnittstelle kostet nach Unternehmensangaben nur einen Bruchteil dessen, was OpenAI für vergleichbare Modelle verlangt.
Fachleute in den Vereinigten Staaten zeigten sich überrascht, wie schnell chinesische Labore trotz der amerikanischen Exportbeschränkungen für Hochleistungschips aufgeholt haben."""

R1_DE_B = """Am Montag veröffentlichte DeepSeek das neue Sprachmodell R1. Das chinesische Unternehmen gibt an, dass es bei Aufgaben aus Mathematik und Programmierung mit OpenAIs Modell o1 mithalten kann.
Die Gewichte des Modells stellt das Start-up aus Hangzhou unter der MIT-Lizenz bereit. Entwickler dürfen es also kostenlos herunterladen, verändern und auch kommerziell nutzen.
Dem technischen Bericht zufolge wurde R1 hauptsächlich mit bestärkendem Lernen trainiert, wobei das Modell lernt, seine Antworten Schritt für Schritt zu begründen, ehe es eine Lösung liefert.
Zusätzlich zum großen Modell hat DeepSeek sechs kleinere destillierte Varianten auf Basis von Llama und Qwen herausgebracht, die auf handelsüblichen Grafikkarten laufen.
Nach Angaben des Unternehmens kostet die Nutzung über die Programmierschnittstelle nur einen Bruchteil der Preise, die OpenAI für ähnliche Modelle verlangt.
Experten in den USA waren überrascht, wie rasch chinesische Labore trotz der US-Exportbeschränkungen für leistungsstarke Chips aufgeholt haben."""

# The same text as R1_DE_A after another site's typography: quotes, dashes, spacing, case.
R1_DE_A_RETYPED = (
    R1_DE_A.replace("Start-up", "Start\u2011up").replace(" R1 ", " \u201eR1\u201c ").replace("\n", "\n\n").upper()
)

# --- Story NV: Nvidia shares fall after DeepSeek (same names and numbers, another story) ---

NV_DE_A = """Die Aktie von Nvidia ist am Montag um rund 17 Prozent eingebrochen, nachdem das chinesische Start-up DeepSeek mit seinem Modell R1 Zweifel an den hohen Ausgaben für Rechenzentren geweckt hatte.
Der Chiphersteller verlor an einem einzigen Handelstag fast 600 Milliarden Dollar an Börsenwert, so viel wie noch nie ein Unternehmen in der Geschichte der Wall Street.
Anleger fürchten, dass sich leistungsfähige KI-Modelle künftig mit deutlich weniger Grafikprozessoren trainieren lassen und die Nachfrage nach den teuren Chips aus Kalifornien sinkt.
Auch die Papiere von Broadcom, Oracle und dem Netzwerkausrüster Arista gaben deutlich nach, der Technologieindex Nasdaq schloss mehr als drei Prozent im Minus.
Nvidia-Chef Jensen Huang äußerte sich zunächst nicht. Ein Sprecher des Konzerns nannte DeepSeek einen hervorragenden Fortschritt in der künstlichen Intelligenz und betonte, auch für die Anwendung solcher Modelle würden viele Chips gebraucht.
Analysten sprachen von einer Überreaktion des Marktes, rieten aber zur Vorsicht bei hoch bewerteten Technologiewerten."""

NV_DE_B = """Nachdem das chinesische Start-up DeepSeek mit dem Modell R1 Zweifel an den enormen Investitionen in Rechenzentren ausgelöst hatte, brach die Nvidia-Aktie am Montag um etwa 17 Prozent ein.
An nur einem Handelstag verlor der Chiphersteller beinahe 600 Milliarden Dollar Börsenwert, mehr als jemals zuvor ein Unternehmen in der Geschichte der Wall Street.
Investoren befürchten, dass leistungsstarke KI-Modelle in Zukunft mit erheblich weniger Grafikprozessoren trainiert werden können und die Nachfrage nach den teuren kalifornischen Chips zurückgeht.
Die Aktien von Broadcom, Oracle und dem Netzwerkausrüster Arista verloren ebenfalls deutlich, und der Technologieindex Nasdaq ging mit einem Minus von über drei Prozent aus dem Handel.
Jensen Huang, Chef von Nvidia, äußerte sich zunächst nicht. Ein Konzernsprecher bezeichnete DeepSeek als hervorragenden Fortschritt der künstlichen Intelligenz und betonte, dass auch für die Anwendung solcher Modelle viele Chips nötig seien.
Analysten sprachen von einer Überreaktion, mahnten jedoch zur Vorsicht bei hoch bewerteten Technologieaktien."""

# --- Story IT: the Italian data protection authority blocks the DeepSeek app ---

IT_DE = """Die italienische Datenschutzbehörde Garante hat die App des chinesischen KI-Anbieters DeepSeek in Italien sperren lassen. Die Anwendung ist seit Donnerstag weder im App Store von Apple noch bei Google Play erhältlich.
Die Behörde hatte DeepSeek zuvor aufgefordert, innerhalb von 20 Tagen zu erklären, welche persönlichen Daten gesammelt werden, zu welchem Zweck und ob sie auf Servern in China gespeichert sind.
Die Antworten der Unternehmen Hangzhou DeepSeek Artificial Intelligence und Beijing DeepSeek Artificial Intelligence seien völlig unzureichend gewesen, teilte die Garante mit.
Die Firmen hätten erklärt, nicht in Italien tätig zu sein und deshalb nicht dem europäischen Datenschutzrecht zu unterliegen. Die Behörde widersprach und leitete eine Untersuchung ein.
Bereits 2023 hatte die Garante den Chatbot ChatGPT von OpenAI vorübergehend gesperrt. Auch Datenschützer in Irland, Belgien und den Niederlanden prüfen inzwischen, wie DeepSeek mit den Daten europäischer Nutzer umgeht."""

# --- Story V3: the training cost of DeepSeek V3 ---

V3_DE = """Das Modell DeepSeek V3 hat nach Angaben seiner Entwickler nur rund 5,6 Millionen Dollar an Rechenzeit gekostet. Für das Training nutzte das Unternehmen 2048 Grafikprozessoren vom Typ H800 von Nvidia, eine für den chinesischen Markt gedrosselte Variante.
V3 ist ein sogenanntes Mixture-of-Experts-Modell mit insgesamt 671 Milliarden Parametern, von denen für jedes Wort jedoch nur 37 Milliarden aktiv sind. Das spart Rechenaufwand bei Training und Betrieb.
Fachleute weisen darauf hin, dass die genannte Summe nur den letzten Trainingslauf umfasst. Kosten für Forschung, frühere Experimente, Personal und die Anschaffung der Hardware sind darin nicht enthalten.
Zum Vergleich: Für das Training von GPT-4 soll OpenAI mehr als 100 Millionen Dollar ausgegeben haben. Meta trainierte sein Modell Llama 3 auf mehr als 16.000 Grafikprozessoren.
Die geringen Kosten haben eine Debatte darüber ausgelöst, ob die Milliardeninvestitionen amerikanischer Konzerne in neue Rechenzentren wirklich nötig sind."""

# --- An opinion piece that quotes one paragraph of R1_DE_A and otherwise says other things ---

QUOTING_DE = """Offene Modelle verändern die Machtverhältnisse in der Branche schneller, als viele Regulierer es erwartet haben. Ein Kommentar.
In dieser Woche machte eine Meldung die Runde, die wir hier im Wortlaut zitieren: „Das Start-up aus Hangzhou stellt die Gewichte des Modells unter der MIT-Lizenz zur Verfügung, sodass Entwickler es kostenlos herunterladen, verändern und kommerziell nutzen dürfen.“
Was auf den ersten Blick wie eine technische Randnotiz wirkt, hat weitreichende Folgen für Universitäten, Behörden und kleine Firmen in Europa. Sie können nun ein leistungsfähiges System auf eigenen Rechnern betreiben, ohne Daten an einen amerikanischen Cloud-Anbieter zu schicken.
Gleichzeitig stellt sich die Frage der Verantwortung: Wer haftet, wenn ein frei verfügbares Modell Falschinformationen erzeugt oder für Betrug eingesetzt wird? Das europäische KI-Gesetz gibt darauf bislang nur vorsichtige Antworten.
Die Politik sollte die Entwicklung nicht verschlafen. Statt Verbote zu diskutieren, braucht es Prüfstellen, die offene Modelle unabhängig testen, und Förderprogramme für eigene europäische Alternativen."""

# --- English: the original of story R1, and another English story on the same topic ---

R1_EN = """DeepSeek on Monday released its new language model R1, which the Chinese company says can match OpenAI's o1 model on mathematics and programming tasks.
The Hangzhou-based start-up is making the model's weights available under the MIT licence, so developers may download, modify and use it commercially free of charge.
According to the technical report, R1 was trained mainly with reinforcement learning. The model learns to justify its answers step by step before it outputs a solution.
Alongside the large model, DeepSeek released six smaller distilled variants based on Llama and Qwen that run on ordinary graphics cards.
Using it through the programming interface costs only a fraction of what OpenAI charges for comparable models, the company said.
Experts in the United States were surprised at how quickly Chinese labs have caught up despite American export restrictions on high-performance chips."""

R1_EN_B = """On Monday DeepSeek released R1, a new language model that the Chinese company says can keep up with OpenAI's o1 on maths and coding tasks.
The start-up from Hangzhou publishes the model weights under the MIT licence, which lets developers download, change and commercially use the model at no cost.
The technical report says R1 was trained mostly through reinforcement learning, with the model learning to reason through its answers step by step before giving a solution.
In addition to the large model, DeepSeek published six smaller distilled versions built on Llama and Qwen that can run on ordinary graphics cards.
The company said access through its programming interface costs a fraction of the price OpenAI asks for similar models.
Experts in the US were surprised by how fast Chinese labs caught up despite American export controls on powerful chips."""

APP_EN = """DeepSeek's chatbot app climbed to the top of Apple's App Store in the United States on Monday, overtaking OpenAI's ChatGPT as the most downloaded free application.
The Hangzhou company said it had to limit new registrations temporarily because of large-scale malicious attacks on its services, while existing users could still log in.
The app is free to use and runs on the company's V3 model, with an optional reasoning mode powered by R1 that shows its chain of thought before answering.
Analysts said the rapid rise showed that consumers will switch quickly when a free alternative performs well, and that the lead of American companies is smaller than many investors assumed.
Privacy advocates warned that the app stores user data on servers in China and that its answers avoid topics that are sensitive to the Chinese government.
Shares of several American technology companies fell sharply as the app's popularity became a subject of debate on Wall Street."""

# --- Vietnamese: two versions of one story, and another story on the same topic ---

R1_VI_A = """DeepSeek vừa công bố mô hình ngôn ngữ mới R1 vào hôm thứ Hai, và công ty Trung Quốc này cho biết mô hình có thể cạnh tranh với mô hình o1 của OpenAI trong các bài toán và lập trình.
Công ty khởi nghiệp có trụ sở tại Hàng Châu công bố trọng số của mô hình theo giấy phép MIT, cho phép các nhà phát triển tải về, chỉnh sửa và sử dụng cho mục đích thương mại miễn phí.
Theo báo cáo kỹ thuật, R1 chủ yếu được huấn luyện bằng phương pháp học tăng cường. Mô hình học cách lập luận từng bước trước khi đưa ra lời giải.
Bên cạnh mô hình lớn, DeepSeek còn phát hành sáu phiên bản nhỏ hơn được chưng cất dựa trên Llama và Qwen, có thể chạy trên các card đồ họa thông thường.
Các chuyên gia tại Mỹ bất ngờ trước tốc độ bắt kịp của các phòng thí nghiệm Trung Quốc bất chấp các hạn chế xuất khẩu chip của Mỹ."""

R1_VI_B = """Hôm thứ Hai, DeepSeek đã công bố R1, một mô hình ngôn ngữ mới mà công ty Trung Quốc này cho biết có thể cạnh tranh với o1 của OpenAI trong các bài toán và lập trình.
Trọng số của mô hình được công ty khởi nghiệp có trụ sở tại Hàng Châu công bố theo giấy phép MIT, nhờ đó các nhà phát triển có thể tải về, chỉnh sửa và sử dụng thương mại miễn phí.
Báo cáo kỹ thuật cho biết R1 được huấn luyện chủ yếu bằng học tăng cường, trong đó mô hình học cách lập luận từng bước rồi mới đưa ra lời giải.
Ngoài mô hình lớn, DeepSeek cũng phát hành sáu phiên bản chưng cất nhỏ hơn dựa trên Llama và Qwen, chạy được trên card đồ họa thông thường.
Giới chuyên gia tại Mỹ bất ngờ về tốc độ bắt kịp của các phòng thí nghiệm Trung Quốc dù Mỹ hạn chế xuất khẩu chip."""

NV_VI = """Cổ phiếu Nvidia đã giảm khoảng 17 phần trăm vào hôm thứ Hai sau khi công ty khởi nghiệp Trung Quốc DeepSeek với mô hình R1 làm dấy lên nghi ngờ về các khoản chi lớn cho trung tâm dữ liệu.
Nhà sản xuất chip này mất gần 600 tỷ đô la giá trị thị trường chỉ trong một phiên giao dịch, mức cao nhất từng có trong lịch sử Phố Wall.
Các nhà đầu tư lo ngại rằng các mô hình trí tuệ nhân tạo mạnh mẽ có thể được huấn luyện với ít bộ xử lý đồ họa hơn nhiều, khiến nhu cầu đối với chip đắt tiền giảm xuống.
Cổ phiếu của Broadcom và Oracle cũng giảm mạnh, chỉ số công nghệ Nasdaq đóng cửa giảm hơn ba phần trăm.
Các nhà phân tích cho rằng thị trường đã phản ứng thái quá nhưng khuyên nhà đầu tư thận trọng với cổ phiếu công nghệ được định giá cao."""

# Groups of versions of one story; texts in different groups are different stories.
SAME_LANGUAGE_STORIES = {
    "r1-de": [R1_DE_A, R1_DE_B],
    "nv-de": [NV_DE_A, NV_DE_B],
    "it-de": [IT_DE],
    "v3-de": [V3_DE],
    "quoting-de": [QUOTING_DE],
    "r1-en": [R1_EN, R1_EN_B],
    "app-en": [APP_EN],
    "r1-vi": [R1_VI_A, R1_VI_B],
    "nv-vi": [NV_VI],
}

# Cross-language: R1_EN is the original of R1_DE_A / R1_DE_B and R1_VI_A / R1_VI_B.


# ---------------------------------------------------------------------------------------------
# Tests: translations of one story are near duplicates, different stories never merge.

import itertools  # noqa: E402

import pytest  # noqa: E402

from dedup import DedupConfig, Deduplicator  # noqa: E402

SEEDS = [1, 2, 3, 4, 5]


def _versions():
    return [(group, i, text) for group, texts in SAME_LANGUAGE_STORIES.items() for i, text in enumerate(texts)]


def _lang(group):
    return group.rsplit("-", 1)[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_two_translations_of_one_story_are_near_duplicates(seed):
    dedup = Deduplicator(DedupConfig(seed=seed))
    for group, texts in SAME_LANGUAGE_STORIES.items():
        if len(texts) < 2:
            continue
        first = dedup.fingerprint(texts[0], _lang(group))
        dedup.add(f"https://site-a.example/{group}", first)
        match = dedup.find(dedup.fingerprint(texts[1], _lang(group)))
        assert match is not None, group
        assert match.key == f"https://site-a.example/{group}"
        assert match.kind == "near"
        assert dedup.config.min_coverage <= match.similarity <= 1.0  # the share of both texts aligned


@pytest.mark.parametrize("seed", SEEDS)
def test_different_stories_on_the_same_topic_are_never_merged(seed):
    dedup = Deduplicator(DedupConfig(seed=seed))
    for (g1, i1, t1), (g2, i2, t2) in itertools.combinations(_versions(), 2):
        if g1 == g2:
            continue
        one = Deduplicator(dedup.config)
        one.add(f"{g1}/{i1}", one.fingerprint(t1, _lang(g1)))
        assert one.find(one.fingerprint(t2, _lang(g2))) is None, (g1, i1, g2, i2)


@pytest.mark.parametrize("seed", SEEDS)
def test_an_article_quoting_one_paragraph_of_another_is_kept(seed):
    for stored, incoming in ((R1_DE_A, QUOTING_DE), (QUOTING_DE, R1_DE_A)):
        dedup = Deduplicator(DedupConfig(seed=seed))
        dedup.add("https://stored.example/", dedup.fingerprint(stored, "de"))
        assert dedup.find(dedup.fingerprint(incoming, "de")) is None


def test_retyped_copy_is_an_exact_duplicate():
    dedup = Deduplicator()
    dedup.add("https://a.example/r1", dedup.fingerprint(R1_DE_A, "de"))
    match = dedup.find(dedup.fingerprint(R1_DE_A_RETYPED, "de"))
    assert match is not None and match.kind == "exact" and match.similarity == 1.0
    assert match.key == "https://a.example/r1"


def test_crawl_order_keeps_the_first_copy_of_each_story():
    dedup = Deduplicator()
    kept, dropped = [], []
    stream = [
        ("r1-a", R1_DE_A),
        ("nv-a", NV_DE_A),
        ("it", IT_DE),
        ("r1-b", R1_DE_B),
        ("v3", V3_DE),
        ("nv-b", NV_DE_B),
        ("quote", QUOTING_DE),
        ("r1-retyped", R1_DE_A_RETYPED),
    ]
    for key, text in stream:
        fp = dedup.fingerprint(text, "de")
        match = dedup.find(fp)
        if match is None:
            dedup.add(key, fp)
            kept.append(key)
        else:
            dropped.append((key, match.key, match.kind))
    assert kept == ["r1-a", "nv-a", "it", "v3", "quote"]
    assert dropped == [("r1-b", "r1-a", "near"), ("nv-b", "nv-a", "near"), ("r1-retyped", "r1-a", "exact")]


def test_short_texts_are_only_exact_duplicates():
    dedup = Deduplicator()
    dedup.add("a", dedup.fingerprint("DeepSeek veröffentlicht neues Modell R1.", "de"))
    assert dedup.find(dedup.fingerprint("DeepSeek veröffentlichte das neue Modell R1 heute.", "de")) is None
    assert dedup.find(dedup.fingerprint("deepseek VERÖFFENTLICHT neues Modell „R1“", "de")).kind == "exact"


# ---------------------------------------------------------------------------------------------
# Same event, different outlets: an independent German report on the R1 release. It shares the
# names, the figures and a quote with R1_DE_A / R1_DE_B (which are two machine translations of
# R1_EN), but it is written separately, in its own order: it must never be merged with them.

R1_DE_REPORT = """Hangzhou/Berlin – Ein chinesisches Start-up fordert OpenAI heraus: DeepSeek hat am Montag das Sprachmodell R1 vorgestellt.
„Unser Ziel ist es, die Forschung offen zu teilen“, sagte Gründer Liang Wenfeng bei der Vorstellung in Hangzhou.
Das Besondere an R1 ist weniger die Leistung als der Preis. Nach Angaben von DeepSeek kostete schon das Vorgängermodell V3 nur 5,6 Millionen Dollar an Rechenzeit, ein Bruchteil dessen, was amerikanische Konzerne ausgeben.
In Tests zu Mathematik und Programmierung liegt R1 laut dem technischen Bericht gleichauf mit o1 von OpenAI. Unabhängige Prüfungen stehen allerdings noch aus.
Wer das Modell nutzen will, kann die Gewichte unter der MIT-Lizenz herunterladen. Dazu kommen sechs kleinere, destillierte Varianten auf Basis von Llama und Qwen.
Beobachter in Berlin und Brüssel fragen sich nun, ob die amerikanischen Exportbeschränkungen für Hochleistungschips ihren Zweck verfehlen.
„Das zeigt, wie schnell chinesische Labore aufgeholt haben“, sagte ein Analyst der Deutschen Bank. Die Aktien von Nvidia gerieten am Nachmittag unter Druck."""


@pytest.mark.parametrize("seed", SEEDS)
def test_two_german_reports_on_the_r1_release_from_different_outlets_stay_apart(seed):
    dedup = Deduplicator(DedupConfig(seed=seed))
    report = dedup.fingerprint(R1_DE_REPORT, "de")
    for key, text in (("mt-a", R1_DE_A), ("mt-b", R1_DE_B)):
        dedup.add(key, dedup.fingerprint(text, "de"))
    assert dedup.find(report) is None
    fresh = Deduplicator(DedupConfig(seed=seed))  # and the other way round: the report kept first
    fresh.add("report", report)
    assert fresh.find(fresh.fingerprint(R1_DE_A, "de")) is None
    assert fresh.find(fresh.fingerprint(R1_DE_B, "de")) is None


def test_the_same_english_article_machine_translated_twice_is_merged():
    dedup = Deduplicator()
    dedup.add("mt-a", dedup.fingerprint(R1_DE_A, "de"))
    match = dedup.find(dedup.fingerprint(R1_DE_B, "de"))
    assert match is not None and match.key == "mt-a" and match.kind == "near"


def test_an_excerpt_republished_word_for_word_is_a_copy_and_a_quote_is_not():
    dedup = Deduplicator()
    dedup.add("full", dedup.fingerprint(NV_DE_A, "de"))
    excerpt = "\n".join(NV_DE_A.split("\n")[:4])  # a site that republished the first four paragraphs
    match = dedup.find(dedup.fingerprint(excerpt, "de"))
    assert match is not None and match.key == "full"
    dedup.add("r1", dedup.fingerprint(R1_DE_A, "de"))
    assert dedup.find(dedup.fingerprint(QUOTING_DE, "de")) is None
