//! Proptest strategies: small pages built from a few repeated boilerplate
//! lines plus random body lines, so that the template learner has something
//! to learn, and arbitrary bytes biased towards the bytes a scanner must get
//! right.

use proptest::{
    collection::vec,
    prelude::*,
    sample::Index,
    test_runner::{Config, FileFailurePersistence},
};

/// The test config: `default_cases` unless `PROPTEST_CASES` is set, and
/// failures persisted in `proptest-regressions/` at the crate root.
pub fn config(default_cases: u32) -> Config {
    // `Config::default()` reads `PROPTEST_CASES` and friends.
    let mut config = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(
        "proptest-regressions/it.txt",
    )));
    config
}

/// Boilerplate lines of the kind real sites repeat on every page.
const BOILERPLATE: &[&str] = &[
    "Startseite",
    "- Politik",
    "- Sport",
    "Home | News | Kontakt",
    "Stellenangebote",
    "Alle Stellenangebote",
    "Es werden alle Kommentare moderiert!",
    "Kommentare (12)",
    "Anzeige",
    "© 2024 Beispiel Verlag GmbH",
    "Impressum",
    "Datenschutz",
    "Teilen: Facebook Twitter E-Mail",
    "Newsletter abonnieren",
    "Read more »",
    "Sponsored",
    "Lesezeit: 3 Minuten",
    "",
];

/// Words for body lines and variable slots, with umlauts, digits and a
/// titlecase letter among them.
const WORDS: &[&str] = &[
    "der",
    "die",
    "das",
    "und",
    "hat",
    "am",
    "Dienstag",
    "Stadtrat",
    "Haushalt",
    "beschlossen",
    "nach",
    "einer",
    "langen",
    "Debatte",
    "über",
    "Schulen",
    "Straßen",
    "the",
    "mayor",
    "opened",
    "bridge",
    "on",
    "Monday",
    "for",
    "commuters",
    "2024",
    "12,5",
    "Prozent",
    "Ärger",
    "ÖL",
    "ǅemal",
    "café",
    "naïve",
    "日本",
    "€",
    "—",
];

/// One word for a body line.
pub fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(WORDS).prop_map(str::to_string),
        1 => "[a-zA-Z0-9äöüß]{1,10}",
        1 => any::<String>().prop_map(|s| s.chars().take(6).filter(|c| *c != '\n').collect()),
    ]
}

/// A line of prose.
pub fn body_line() -> impl Strategy<Value = String> {
    (
        vec(word(), 1..16),
        prop::sample::select(&["", ".", "!", "?", ":", ","][..]),
    )
        .prop_map(|(words, end)| words.join(" ") + end)
}

/// A line with a variable slot between fixed words.
pub fn slotted_line() -> impl Strategy<Value = String> {
    vec(word(), 1..4).prop_map(|slot| {
        format!(
            "Was denken Sie zum Artikel \"{}\" für unsere Leser?",
            slot.join(" ")
        )
    })
}

/// A site's own boilerplate: a few lines from [`BOILERPLATE`] and a few
/// random ones.
pub fn boilerplate_pool() -> impl Strategy<Value = Vec<String>> {
    (
        vec(
            prop::sample::select(BOILERPLATE).prop_map(str::to_string),
            1..6,
        ),
        vec(body_line(), 0..3),
    )
        .prop_map(|(mut a, b)| {
            a.extend(b);
            a
        })
}

/// How a page's lines are joined.
#[derive(Clone, Debug)]
pub struct Layout {
    /// For each line: `\r\n` instead of `\n`.
    pub crlf: Vec<bool>,
    /// Whether the last line has a terminator.
    pub final_newline: bool,
}

fn layout() -> impl Strategy<Value = Layout> {
    (vec(prop::bool::weighted(0.2), 32), any::<bool>()).prop_map(|(crlf, final_newline)| Layout {
        crlf,
        final_newline,
    })
}

/// Join lines into a page.
pub fn render(lines: &[String], layout: &Layout) -> Vec<u8> {
    let mut page = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        page.extend_from_slice(line.as_bytes());
        if i + 1 < lines.len() || layout.final_newline {
            if layout.crlf[i % layout.crlf.len()] {
                page.push(b'\r');
            }
            page.push(b'\n');
        }
    }
    page
}

/// A page of a site: head boilerplate, body, tail boilerplate, with the
/// occasional slotted line and random line in between.
pub fn page_of(pool: Vec<String>) -> impl Strategy<Value = Vec<u8>> {
    let n = pool.len();
    let pick = vec(0..n, 0..6);
    let line = prop_oneof![
        4 => body_line(),
        1 => slotted_line(),
        1 => Just(String::new()),
        1 => Just(String::from("  \t ")),
    ];
    (pick.clone(), vec(line, 0..6), pick, layout()).prop_map(move |(head, body, tail, layout)| {
        let mut lines: Vec<String> = head.iter().map(|&i| pool[i].clone()).collect();
        lines.extend(body);
        lines.extend(tail.iter().map(|&i| pool[i].clone()));
        render(&lines, &layout)
    })
}

/// The pages of one site: 1 to `max_pages` pages sharing a boilerplate pool.
pub fn site(max_pages: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    boilerplate_pool().prop_flat_map(move |pool| vec(page_of(pool), 1..=max_pages))
}

/// The pages of one site, some of them repeated with a spelling that folds
/// the same (other case, other digits, other punctuation), so that the
/// learner sees pages that are duplicates line for line but not byte for
/// byte.
pub fn site_with_near_duplicates(max_pages: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    (site(max_pages), vec((any::<Index>(), 0..4u8), 1..4)).prop_map(|(mut pages, copies)| {
        for (which, how) in copies {
            let page = &pages[which.index(pages.len())];
            let copy = page
                .iter()
                .map(|&b| match how {
                    0 => b.to_ascii_uppercase(),
                    1 => b.to_ascii_lowercase(),
                    2 if b.is_ascii_digit() => b'0' + (b - b'0' + 1) % 10,
                    3 if b == b'.' => b'!',
                    3 if b == b' ' => b'\t',
                    _ => b,
                })
                .collect();
            pages.push(copy);
        }
        pages
    })
}

/// A page of arbitrary bytes, biased towards `\n`, `\r`, NUL, invalid UTF-8,
/// multi-byte characters and spaces.
pub fn bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => any::<u8>(),
        3 => Just(b'\n'),
        2 => Just(b'\r'),
        1 => Just(0u8),
        3 => Just(b' '),
        3 => b'a'..=b'z',
        1 => prop::sample::select(&[0x80u8, 0xC3, 0xA4, 0xE2, 0xFF, 0xFE, 0xF0, 0x9F][..]),
    ];
    vec(byte, 0..=max_len)
}

/// Any page: a site-like page or arbitrary bytes, or a mix of both.
pub fn any_page() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => boilerplate_pool().prop_flat_map(page_of),
        1 => bytes(300),
        1 => (boilerplate_pool().prop_flat_map(page_of), bytes(40), any::<prop::sample::Index>()).prop_map(
            |(mut page, junk, at)| {
                let at = at.index(page.len() + 1);
                page.splice(at..at, junk);
                page
            }
        ),
    ]
}

/// Cut `bytes` into consecutive chunks at the given (unsorted) cut points.
pub fn chunks<'a>(bytes: &'a [u8], cuts: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    at.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

/// Letters of folded words, each with the spellings that fold to it.
const LETTERS: &[&[char]] = &[
    &['a', 'A'],
    &['b', 'B'],
    &['e', 'E'],
    &['k', 'K', '\u{212A}'], // Kelvin sign
    &['s', 'S'],
    &['z', 'Z'],
    &['ä', 'Ä'],
    &['é', 'É'],
    &['ß', '\u{1E9E}'],      // capital sharp s
    &['ǆ', 'ǅ', 'Ǆ'],        // with a titlecase letter
    &['ω', 'Ω', '\u{2126}'], // ohm sign
    &['日'],
    &['€'],
    &['\u{FFFD}'],
];
/// Digits: any run of them folds to one `0`.
const DIGITS: &[char] = &['0', '1', '7', '9', '٣', '²', '½', 'Ⅻ'];
/// Runs of these separate words.
const SEPARATORS: &[&str] = &[
    " ", "  ", "\t", ",", ", ", ".", "!", "?", " – ", "«", "»", "\u{A0}", "\u{3000}", "、", "\0",
    "\x1b", "\u{2028}",
];

/// What a line folds to: words of letters (indexes into `LETTERS`) and digit
/// runs (`None`).
pub type Skeleton = Vec<Vec<Option<usize>>>;

/// A line skeleton of 1 to 6 words.
pub fn skeleton() -> impl Strategy<Value = Skeleton> {
    vec(
        vec(prop::option::weighted(0.8, 0..LETTERS.len()), 1..6),
        1..6,
    )
    .prop_map(|mut words| {
        for w in &mut words {
            w.dedup_by(|a, b| a.is_none() && b.is_none()); // one digit run, not two
        }
        words
    })
}

/// Spell a skeleton, taking every free choice (case, digits, separators)
/// from `entropy`.
pub fn spell(skeleton: &Skeleton, entropy: &[u8]) -> String {
    let mut r = entropy
        .iter()
        .copied()
        .cycle()
        .enumerate()
        .map(|(i, b)| b as usize + i);
    let mut pick = |n: usize| r.next().unwrap() % n;
    let mut out = String::new();
    if pick(2) == 0 {
        out.push_str(SEPARATORS[pick(SEPARATORS.len())]);
    }
    for (i, word) in skeleton.iter().enumerate() {
        if i > 0 {
            for _ in 0..=pick(2) {
                out.push_str(SEPARATORS[pick(SEPARATORS.len())]);
            }
        }
        for piece in word {
            match *piece {
                Some(letter) => {
                    let spellings = LETTERS[letter];
                    out.push(spellings[pick(spellings.len())]);
                }
                None => {
                    for _ in 0..=pick(3) {
                        out.push(DIGITS[pick(DIGITS.len())]);
                    }
                }
            }
        }
    }
    if pick(2) == 0 {
        out.push_str(SEPARATORS[pick(SEPARATORS.len())]);
    }
    out
}

/// Two skeletons that differ in exactly one letter.
pub fn skeletons_one_letter_apart() -> impl Strategy<Value = (Skeleton, Skeleton)> {
    (skeleton(), any::<prop::sample::Index>(), 1..LETTERS.len()).prop_map(|(a, at, delta)| {
        let mut b = a.clone();
        let slots: Vec<(usize, usize)> = b
            .iter()
            .enumerate()
            .flat_map(|(i, w)| (0..w.len()).map(move |j| (i, j)))
            .collect();
        let (i, j) = slots[at.index(slots.len())];
        b[i][j] = Some(b[i][j].map_or(0, |l| (l + delta) % LETTERS.len()));
        // A letter replacing a digit run may merge nothing: digit runs are
        // never adjacent in a skeleton, so the words still differ.
        (a, b)
    })
}
