"""Writes dump.jsonl and dump.warc.wet.gz beside this script: ten made-up pages
of three fictional sites (no real text). Run: python3 sample/make.py"""
import json, gzip, os, uuid, hashlib

os.chdir(os.path.dirname(os.path.abspath(__file__)))

SITES = {}

# --- Site 1: a fictional German local paper --------------------------------
bote_head = """Rheinauer Bote – Nachrichten aus dem Rheinauer Land
Zum Inhalt springen
- Startseite
- Lokales
- Sport
- Kultur
- Jobs
- Anzeigen aufgeben
Wir verwenden Cookies, um unsere Website für Sie optimal zu gestalten. Mit der Nutzung stimmen Sie der Verwendung von Cookies zu.
Einverstanden
"""
bote_jobs = """Stellenangebote
{job1}
Stadtwerke Rheinau GmbH, Rheinau
{job2}
{emp2}
Zum Job
Alle Stellenangebote
"""
bote_tail = """Lesen Sie auch
- {rel1}
- {rel2}
Anzeige
Das Rheinauer Kochbuch: 80 Rezepte aus Großmutters Küche – jetzt für 19,90 Euro im Bote-Shop bestellen
{n} Kommentare
Was meinen Sie zum Artikel "{title}"? Schreiben Sie uns Ihre Meinung!
Bitte beachten Sie unsere Netiquette: Beleidigungen und Werbung werden gelöscht. Alle Kommentare werden vor der Veröffentlichung geprüft.
Kommentar schreiben
Teilen auf Facebook
Teilen per E-Mail
- Impressum
- Datenschutz
- Kontakt
© 2025 Rheinauer Bote Verlag GmbH. Alle Rechte vorbehalten.
"""
bote_pages = [
 dict(title="Neue Fährverbindung nach Altwerth startet im Frühjahr",
      date="Von Jana Kessler | 12. März 2025, 08:15 Uhr",
      body="""Neue Fährverbindung nach Altwerth startet im Frühjahr
Die Gemeinde Rheinau bekommt wieder eine direkte Verbindung über den Fluss. Ab Anfang April soll die neue Fähre im Halbstundentakt zwischen dem Anleger am Mühlenweg und Altwerth pendeln.
Bürgermeisterin Petra Albers sprach bei der Vorstellung am Dienstag von einem „lange ersehnten Schritt“ für Pendler und Ausflügler. Die alte Fähre war vor drei Jahren außer Dienst gestellt worden, weil eine Sanierung zu teuer geworden wäre.
Das neue Schiff fasst zwölf Autos und bis zu achtzig Fahrgäste. Es fährt elektrisch und wird nachts am Anleger über eine eigene Ladestation mit Strom versorgt.
Die Fahrpreise sollen sich an denen der Nachbargemeinden orientieren. Für Schüler und Inhaber des Rheinau-Passes ist eine ermäßigte Monatskarte geplant.""",
      job1="Elektroniker für Betriebstechnik (m/w/d)", job2="Sachbearbeiter Buchhaltung (m/w/d)", emp2="Kreissparkasse Rheinauer Land, Altwerth",
      rel1="Brücke am Mühlenweg bleibt bis Sommer gesperrt", rel2="Gemeinderat beschließt neuen Radweg", n=14),
 dict(title="Stadtbibliothek öffnet nach Umbau auch sonntags",
      date="Von Malte Vogt | 18. März 2025, 11:40 Uhr",
      body="""Stadtbibliothek öffnet nach Umbau auch sonntags
Nach fast einem Jahr Bauzeit hat die Stadtbibliothek am Marktplatz wieder geöffnet. Die Räume im Erdgeschoss wurden vollständig neu gestaltet und bieten nun eine Leseecke für Kinder sowie zwanzig zusätzliche Arbeitsplätze.
Neu ist vor allem die Öffnung am Sonntag: Von zwölf bis siebzehn Uhr können Besucher ohne Personal mit ihrem Ausweis Medien ausleihen und zurückgeben.
Leiterin Sabine Oertel hofft, dass damit auch Berufstätige den Weg in die Bibliothek finden. In den ersten Tagen seien bereits mehr als zweihundert neue Ausweise ausgestellt worden, sagte sie.
Der Umbau kostete rund 1,4 Millionen Euro, ein Drittel davon trägt das Land aus einem Förderprogramm für ländliche Bibliotheken.""",
      job1="Erzieher / Erzieherin Kita Sonnenblume (m/w/d)", job2="Hausmeister Grundschule Nord (w/m/d)", emp2="Gemeinde Rheinau",
      rel1="Volkshochschule stellt neues Programm vor", rel2="Lesesommer für Kinder beginnt im Juli", n=3),
 dict(title="TV Rheinau gewinnt Derby gegen Altwerth deutlich",
      date="Von Jonas Brandt | 23. März 2025, 19:05 Uhr",
      body="""TV Rheinau gewinnt Derby gegen Altwerth deutlich
Vor fast tausend Zuschauern hat der TV Rheinau das Handball-Derby gegen den SC Altwerth mit 31:24 gewonnen. Schon zur Pause lagen die Gastgeber mit sechs Toren vorn.
Bester Werfer war erneut Kreisläufer Tim Ohlsen mit neun Treffern. Trainer Ralf Hennig lobte nach dem Spiel vor allem die Abwehr, die den Gästen kaum freie Würfe erlaubte.
Mit dem Sieg rückt Rheinau auf den dritten Tabellenplatz vor. Am kommenden Samstag wartet das Auswärtsspiel beim Spitzenreiter aus Bergfeld.""",
      job1="Pflegefachkraft ambulanter Dienst (m/w/d)", job2="Elektroniker für Betriebstechnik (m/w/d)", emp2="Stadtwerke Rheinau GmbH, Rheinau",
      rel1="Schwimmbad öffnet im Mai", rel2="Laufgruppe sucht Mitstreiter", n=27),
 dict(title="Wochenmarkt zieht vorübergehend an den Hafen",
      date="Von Jana Kessler | 27. März 2025, 07:30 Uhr",
      body="""Wochenmarkt zieht vorübergehend an den Hafen
Wegen der Bauarbeiten am Marktplatz findet der Wochenmarkt ab April für drei Monate am alten Hafen statt. Die Händler haben dem Umzug in einer Versammlung am Montag zugestimmt.
Am Hafen stehen mehr Parkplätze zur Verfügung, dafür ist der Weg aus der Innenstadt etwas länger. Die Gemeinde richtet deshalb samstags einen kostenlosen Pendelbus ein.
Einige Marktbeschicker befürchten dennoch weniger Kundschaft. „Wir müssen sehen, ob die Stammkunden mitkommen“, sagte Obstbauer Heinrich Lamm, der seit über dreißig Jahren auf dem Markt steht.""",
      job1="Verkäufer Frischetheke in Teilzeit (m/w/d)", job2="Sachbearbeiter Buchhaltung (m/w/d)", emp2="Kreissparkasse Rheinauer Land, Altwerth",
      rel1="Neue Fährverbindung nach Altwerth startet im Frühjahr", rel2="Innenstadt: Parken wird teurer", n=0),
]
def bote(p, i):
    return (bote_head + p["body"].split("\n")[0] + "\n" + p["date"] + "\n" + "\n".join(p["body"].split("\n")[1:]) + "\n"
            + bote_jobs.format(**p) + bote_tail.format(**p))
SITES["rheinauer-bote.example"] = [ (f"https://www.rheinauer-bote.example/lokales/{i+1}-{p['title'].lower().split()[0]}", bote(p, i)) for i, p in enumerate(bote_pages) ]

# --- Site 2: a fictional English food and books blog ------------------------
kq_head = """{title} | Kettle & Quill
Skip to content
Kettle & Quill
Slow food, good books
- Home
- Recipes
- Book Club
- About
- Shop
This site uses cookies to improve your experience. Read our cookie policy.
Accept all
Posted on {date} by Harriet Moss
"""
kq_tail = """Tags: {tags}
Share this:
- Facebook
- Pinterest
- Email
Sponsored
The Quiet Kitchen by Ada Lindqvist – hardcover now 20% off at our partner bookshop
Subscribe to our newsletter and never miss a recipe!
{n} Comments
{comments}Leave a Reply
Your email address will not be published. Required fields are marked *
Comment *
Post Comment
Recent Posts
- {rel1}
- {rel2}
© 2025 Kettle & Quill · Privacy Policy · Terms
"""
kq_pages = [
 dict(title="Brown Butter Oat Cookies", date="April 2, 2025", tags="baking, cookies, oats",
      body="""Brown Butter Oat Cookies
There is a moment, when butter turns from yellow to amber and smells of hazelnuts, that makes every biscuit recipe better. These oat cookies are built around that moment.
Melt 150 grams of butter in a light pan and keep stirring until the milk solids turn golden brown. Pour it into a bowl at once so it does not burn, and let it cool for ten minutes.
Whisk in dark brown sugar, one egg and a pinch of flaky salt, then fold in rolled oats, flour and a little baking soda. The dough will feel loose; rest it in the fridge for half an hour.
Bake small spoonfuls at 180 degrees for eleven minutes. They should still look soft in the middle when they come out, and they will firm up on the tray.""",
      comments="""Margaret O.
April 3, 2025 at 9:12 am
Made these twice already, the brown butter really makes a difference!
Reply
""", rel1="Rye Bread for Beginners", rel2="Our March Book Club Pick", n=1),
 dict(title="Rye Bread for Beginners", date="April 9, 2025", tags="bread, baking, rye",
      body="""Rye Bread for Beginners
Rye dough behaves nothing like wheat dough. It is sticky, it does not stretch, and it will never pass a windowpane test, which is exactly why so many first loaves end up dense and gummy.
The trick is to stop kneading and start stirring. Mix whole rye flour, water, salt and a spoonful of active starter into a thick paste, cover it and leave it on the counter overnight.
In the morning, scrape the dough into a greased tin, smooth the top with a wet spatula and let it rise until small cracks appear on the surface, usually about two hours.
Bake it hot for the first fifteen minutes, then lower the oven and give it another forty. Most importantly, wait a full day before slicing: the crumb keeps setting as it cools.""",
      comments="", rel1="Brown Butter Oat Cookies", rel2="Our March Book Club Pick", n=0),
 dict(title="Our March Book Club Pick", date="April 16, 2025", tags="books, book club",
      body="""Our March Book Club Pick
This month we read a novel set in a lighthouse on a small northern island, where a retired keeper writes letters to a daughter who never answers. It divided our group more than any book this year.
Half of us loved its slowness. The chapters follow the weather more than the plot, and the keeper's routines, lamp oil, logbooks and bread baked on Sundays, give the book a calm rhythm.
The other half found the ending too neat after so much patient build-up. We argued about it for an hour over tea and the last of the oat cookies.
Next month we are reading a collection of short stories about markets around the world. Bring a recipe from one of them if you can.""",
      comments="""Tom Ellery
April 17, 2025 at 6:40 pm
I was firmly in the second half of the group, sorry!
Reply
June B.
April 18, 2025 at 8:05 am
Loved it. The letters made me cry.
Reply
""", rel1="Rye Bread for Beginners", rel2="Brown Butter Oat Cookies", n=2),
]
def kq(p, i):
    return kq_head.format(**p) + p["body"] + "\n" + kq_tail.format(**p)
SITES["kettleandquill.example"] = [ (f"https://kettleandquill.example/2025/04/{p['title'].lower().replace(' ', '-')}/", kq(p, i)) for i, p in enumerate(kq_pages) ]

# --- Site 3: a fictional German DIY/tech site ------------------------------
ww_head = """Werkstattwissen
Startseite > Ratgeber > {cat}
Suche
Anmelden
- Ratgeber
- Werkzeugtests
- Forum
- Newsletter
"""
ww_tail = """Auch interessant:
- {rel1}
- {rel2}
Jetzt den Werkstattwissen-Newsletter abonnieren und keinen Ratgeber mehr verpassen.
Anzeige
Akku-Bohrschrauber Profi 18 V im Set mit zwei Akkus – nur diese Woche 89 Euro im Partnershop
Jobs bei Werkstattwissen
Redakteur Heimwerken und Garten (m/w/d)
Diskussion ({n})
Hinweis: Kommentare mit Links werden erst nach Prüfung freigeschaltet.
Impressum | Datenschutz | Cookie-Einstellungen
"""
ww_pages = [
 dict(cat="Holz", rel1="Schleifpapier: Welche Körnung wofür?", rel2="Holzöl oder Lack?", n=5,
      body="""Dübel richtig setzen in Gipskarton
Wer ein Regal an eine Trockenbauwand hängen will, kommt mit normalen Spreizdübeln nicht weit. Gipskarton ist zu weich, der Dübel dreht sich im Loch und hält kaum Last.
Besser eignen sich Hohlraumdübel aus Metall. Sie werden durch die Platte gesteckt und spreizen sich beim Anziehen der Schraube auf der Rückseite auf.
Bohren Sie das Loch ohne Schlag und mit genau dem Durchmesser, den der Hersteller angibt. Ein zu großes Loch lässt den Dübel mitdrehen.
Für schwere Hängeschränke gilt: Immer eine Ständerschraube im Metallprofil suchen oder eine Traglattung hinter die Platte setzen."""),
 dict(cat="Metall", rel1="Rost entfernen ohne Chemie", rel2="Dübel richtig setzen in Gipskarton", n=12,
      body="""Gewinde nachschneiden: So geht es
Ein beschädigtes Gewinde muss nicht das Ende eines Bauteils sein. Mit einem passenden Gewindebohrer lässt sich das Innengewinde meist in wenigen Minuten wieder herstellen.
Bestimmen Sie zunächst Durchmesser und Steigung, am einfachsten mit einer Gewindelehre. Die Angaben stehen oft auch in der Zeichnung oder auf der Schraube.
Setzen Sie den Vorschneider gerade an und drehen Sie ihn mit dem Windeisen langsam ein. Nach jeder halben Umdrehung eine Vierteldrehung zurück, damit der Span bricht.
Etwas Schneidöl verlängert die Lebensdauer des Werkzeugs und sorgt für eine saubere Oberfläche."""),
 dict(cat="Holz", rel1="Dübel richtig setzen in Gipskarton", rel2="Gewinde nachschneiden: So geht es", n=2,
      body="""Holzöl oder Lack?
Ob eine Tischplatte geölt oder lackiert wird, ist vor allem eine Frage der Nutzung. Öl zieht in das Holz ein und lässt die Maserung lebendig wirken, schützt aber weniger gegen Flecken.
Lack bildet eine geschlossene Schicht auf der Oberfläche. Er ist pflegeleicht, lässt sich bei Kratzern aber nur schwer stellenweise ausbessern.
Für Esstische mit Kindern empfehlen viele Tischler deshalb ein Hartwachsöl als Mittelweg. Es dringt ein, härtet an der Oberfläche aus und kann jederzeit nachgeölt werden."""),
]
def ww(p, i):
    return ww_head.format(**p) + p["body"] + "\n" + ww_tail.format(**p)
SITES["werkstattwissen.example"] = [ (f"https://werkstattwissen.example/ratgeber/{i+1}", ww(p, i)) for i, p in enumerate(ww_pages) ]

# interleave sites, as a crawl would
docs = []
maxn = max(len(v) for v in SITES.values())
for i in range(maxn):
    for site, pages in SITES.items():
        if i < len(pages):
            url, text = pages[i]
            short = site.split(".")[0]
            docs.append(dict(id=f"{short}-{i+1}", url=url, text=text))

with open("dump.jsonl", "w", encoding="utf-8") as f:
    for d in docs:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")

# WET: one gzip member per record, like Common Crawl
def record(headers, body):
    b = body.encode()
    h = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + f"Content-Length: {len(b)}\r\n\r\n"
    return h.encode() + b + b"\r\n\r\n"
def rid(s):
    return "<urn:uuid:" + str(uuid.UUID(hashlib.md5(s.encode()).hexdigest())) + ">"
out = open("dump.warc.wet.gz", "wb")
info = "Software-Info: dechaff sample generator\r\nExtracted-Date: Tue, 01 Apr 2025 00:00:00 GMT\r\n"
out.write(gzip.compress(record([("WARC-Type", "warcinfo"), ("WARC-Date", "2025-04-01T00:00:00Z"), ("WARC-Filename", "dump.warc.wet.gz"), ("WARC-Record-ID", rid("info")), ("Content-Type", "application/warc-fields")], info), mtime=0))
for d in docs:
    out.write(gzip.compress(record([("WARC-Type", "conversion"), ("WARC-Target-URI", d["url"]), ("WARC-Date", "2025-04-01T00:00:00Z"), ("WARC-Record-ID", rid(d["id"])), ("Content-Type", "text/plain")], d["text"]), mtime=0))
out.close()
print(len(docs), "docs")
