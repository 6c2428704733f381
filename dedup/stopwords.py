"""Stop words dropped from the MinHash token set (German, English, French; our own short lists).

Only words of four or more bytes matter: shorter tokens are dropped anyway. Removing them halves
the similarity of unrelated articles in the same language (bench_dedup.py) while translations keep most of theirs, so the LSH returns far fewer candidates.
Vietnamese: the frequent function syllables of four or more bytes (most syllables with a
diacritic have four or more bytes in UTF-8).
"""

_GERMAN = """
aber alle allem allen aller alles also andere anderen anderer anderes auch auf aus bereits beim
bevor bisher dabei dafür dagegen daher damals damit dann daran darauf darüber darum dass davon
dazu denen denn derzeit dessen deshalb diese diesem diesen dieser dieses doch dort durch eben
ebenfalls eigentlich einem einen einer eines einige einigen einmal etwa etwas euch ganz geben
gegen gewesen gibt habe haben hatte hatten hätte hätten heute hier hinter ihnen ihre ihrem ihren
ihrer immer indem jedoch jetzt kann kein keine keinem keinen keiner können könnte könnten lassen
laut mehr mehrere mein meine muss müssen nach nachdem neben nicht noch oder ohne schon sehr sein
seine seinem seinen seiner seit seitdem selbst sich sind sogar solche soll sollen sollte sondern
sowie statt trotz über unser unsere unter viel viele vielen während wann warum weil weiter weitere
weiteren welche welcher welches wenig wenn werden wieder will wird wirklich worden wurde wurden
wäre wären zudem zwar zwischen
"""

_ENGLISH = """
about above after again against also although among another because been before being below
between both cannot could does doing down during each even every from further have having here
hers herself himself however into itself just like made make many more most much must never only
other ours over said same says shall should since some such than that their theirs them
themselves then there these they this those through thus under until upon very want well were
what when where which while whom whose will with within without would your yours
"""

_FRENCH = """
alors aussi autre autres avant avec avoir cela celle celles celui cette comme comment dans depuis
donc dont elle elles encore entre être fait faire leur leurs mais même moins notre nous peut plus
pour pourquoi quand quel quelle quelles quels sans selon sera sont sous tous tout toute toutes
très vous était étaient
"""

_VIETNAMESE = """
các của được những trong không người nhiều cũng theo này như khi cho với một là đã sẽ đến
từ sau trước hơn rằng nhưng hoặc vào tại bằng thì nên để còn đây đó rất vừa mới hiện
thể cùng chỉ đang nhất nào giữa về
"""

STOPWORDS: frozenset[bytes] = frozenset(
    w.encode("utf-8") for w in (_GERMAN + _ENGLISH + _FRENCH + _VIETNAMESE).split() if len(w.encode("utf-8")) >= 4
)
