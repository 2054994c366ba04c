//! Property tests: the fast code against naive oracles, and invariants of
//! labelling, learning, merging and model files.

use std::io::Read;

use dechaff::{
    Fingerprint, Label, Labelled, Labeller, ModelSet, SiteModel, SiteModelBuilder, Span,
};
use proptest::{collection::vec, prelude::*, sample::Index};

use crate::{gen, naive};

/// Everything observable about a labelled page, to compare two labellings.
fn observe(labelled: &Labelled) -> Vec<(Span, Span, Label, String)> {
    labelled
        .iter()
        .map(|l| (l.span(), l.full_span(), l.label(), l.reason().to_string()))
        .collect()
}

/// A reader that hands out the bytes in the given chunks, one per `read`.
struct Chunked<'a> {
    chunks: std::vec::IntoIter<&'a [u8]>,
    rest: &'a [u8],
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.rest.is_empty() {
            match self.chunks.next() {
                Some(c) => self.rest = c,
                None => return Ok(0),
            }
        }
        let n = self.rest.len().min(buf.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// Read `page` back through a reader that returns it in pieces.
fn reassemble(page: &[u8], cuts: &[Index]) -> Vec<u8> {
    let mut out = Vec::new();
    Chunked {
        chunks: gen::chunks(page, cuts).into_iter(),
        rest: &[],
    }
    .read_to_end(&mut out)
    .unwrap();
    out
}

/// Check the labelled lines of `page` against the scanner and each other.
fn check_labelled(page: &[u8], labelled: &Labelled) -> Result<(), TestCaseError> {
    let lines: Vec<dechaff::Line<'_>> = dechaff::lines(page).collect();
    prop_assert_eq!(labelled.len(), lines.len());
    prop_assert_eq!(labelled.page(), page);
    let counts = labelled.counts();
    prop_assert_eq!(
        counts.iter().sum::<usize>(),
        lines.iter().filter(|l| !l.is_blank()).count()
    );
    let segments: Vec<dechaff::Segment<'_>> = labelled.segments().collect();
    let all: Vec<dechaff::LabelledLine<'_>> = labelled.iter().collect();
    prop_assert_eq!(all.len(), lines.len());
    for (i, (l, line)) in all.iter().zip(&lines).enumerate() {
        prop_assert_eq!(l.index(), i);
        prop_assert_eq!(l.span(), line.span());
        prop_assert_eq!(l.full_span(), line.full_span());
        prop_assert_eq!(l.bytes(), line.bytes());
        if line.is_blank() {
            prop_assert!(l.is_blank());
        }
    }
    // Segments: maximal runs of one label, covering every line in order.
    let mut next = 0;
    for (k, s) in segments.iter().enumerate() {
        let r = s.lines();
        prop_assert_eq!(r.start, next);
        prop_assert!(r.end > r.start);
        for l in &all[r.clone()] {
            prop_assert_eq!(l.label(), s.label());
        }
        prop_assert_eq!(
            s.span(),
            Span {
                start: all[r.start].span().start,
                end: all[r.end - 1].span().end
            }
        );
        prop_assert_eq!(s.bytes(), &page[s.span().range()]);
        if k > 0 {
            prop_assert_ne!(segments[k - 1].label(), s.label());
        }
        next = r.end;
    }
    prop_assert_eq!(next, lines.len());
    Ok(())
}

proptest! {
    #![proptest_config(gen::config(256))]

    #[test]
    fn lines_equal_naive_split(page in gen::any_page()) {
        let fast: Vec<naive::NaiveLine<'_>> = dechaff::lines(&page).map(|l| (l.bytes(), l.terminator_len())).collect();
        prop_assert_eq!(&fast, &naive::lines(&page));
    }

    #[test]
    fn line_spans_cover_page(page in gen::any_page()) {
        let mut at = 0;
        let mut rebuilt = Vec::new();
        for line in dechaff::lines(&page) {
            let (span, full) = (line.span(), line.full_span());
            prop_assert_eq!(span.start, at);
            prop_assert_eq!(full.start, at);
            prop_assert!(span.end <= full.end);
            prop_assert_eq!(span.len(), line.bytes().len());
            prop_assert_eq!(&page[span.range()], line.bytes());
            let terminator = &page[span.end..full.end];
            prop_assert!(matches!(terminator, b"" | b"\n" | b"\r\n"), "terminator {:?}", terminator);
            prop_assert!(!line.bytes().contains(&b'\n'));
            prop_assert_eq!(line.is_blank(), line.bytes().iter().all(u8::is_ascii_whitespace));
            rebuilt.extend_from_slice(&page[full.range()]);
            at = full.end;
        }
        prop_assert_eq!(at, page.len());
        prop_assert_eq!(rebuilt, page);
    }

    #[test]
    fn lines_independent_of_alignment(page in gen::any_page(), before in 0usize..70, after in 0usize..70) {
        // The page inside a bigger buffer: memchr takes other code paths.
        let mut buf = vec![b'\n'; before];
        buf.extend_from_slice(&page);
        buf.extend(std::iter::repeat_n(b'\n', after));
        let inner = &buf[before..before + page.len()];
        let a: Vec<_> = dechaff::lines(&page).map(|l| (l.span(), l.terminator_len())).collect();
        let b: Vec<_> = dechaff::lines(inner).map(|l| (l.span(), l.terminator_len())).collect();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn normalize_equals_naive(line in prop_oneof![
        gen::bytes(80),
        any::<String>().prop_map(String::into_bytes),
        gen::body_line().prop_map(String::into_bytes),
        (gen::skeleton(), vec(any::<u8>(), 16)).prop_map(|(s, e)| gen::spell(&s, &e).into_bytes()),
    ]) {
        prop_assert_eq!(dechaff::normalize(&line), naive::normalize(&line));
    }

    #[test]
    fn fingerprint_folds_case_space_digits_punctuation(
        skeleton in gen::skeleton(),
        a in vec(any::<u8>(), 16),
        b in vec(any::<u8>(), 16),
    ) {
        let (a, b) = (gen::spell(&skeleton, &a), gen::spell(&skeleton, &b));
        prop_assert_eq!(naive::normalize(a.as_bytes()), naive::normalize(b.as_bytes()));
        prop_assert_eq!(dechaff::normalize(a.as_bytes()), dechaff::normalize(b.as_bytes()), "{:?} vs {:?}", a, b);
        prop_assert_eq!(Fingerprint::of(a.as_bytes()), Fingerprint::of(b.as_bytes()), "{:?} vs {:?}", a, b);
    }

    #[test]
    fn fingerprint_tells_letters_apart(
        (x, y) in gen::skeletons_one_letter_apart(),
        a in vec(any::<u8>(), 16),
        b in vec(any::<u8>(), 16),
    ) {
        let (a, b) = (gen::spell(&x, &a), gen::spell(&y, &b));
        prop_assert_ne!(naive::normalize(a.as_bytes()), naive::normalize(b.as_bytes()));
        prop_assert_ne!(dechaff::normalize(a.as_bytes()), dechaff::normalize(b.as_bytes()), "{:?} vs {:?}", a, b);
        prop_assert_ne!(Fingerprint::of(a.as_bytes()), Fingerprint::of(b.as_bytes()), "{:?} vs {:?}", a, b);
    }

    #[test]
    fn fingerprint_iff_normalize(a in gen::any_page(), b in gen::any_page()) {
        // On unrelated lines: equal fingerprints exactly when the folded
        // texts are equal (no collisions on small inputs).
        for (x, y) in dechaff::lines(&a).zip(dechaff::lines(&b)) {
            let same = dechaff::normalize(x.bytes()) == dechaff::normalize(y.bytes());
            prop_assert_eq!(Fingerprint::of(x.bytes()) == Fingerprint::of(y.bytes()), same);
        }
    }
}

proptest! {
    #![proptest_config(gen::config(64))]

    #[test]
    fn one_label_per_line_without_model(page in gen::any_page()) {
        check_labelled(&page, &dechaff::label(&page))?;
    }

    #[test]
    fn one_label_per_line_with_model(site in gen::site(6), page in gen::any_page()) {
        let labeller = Labeller::new(SiteModelBuilder::new().build(&site));
        let mut reused = Labelled::new();
        for p in site.iter().chain([&page]) {
            check_labelled(p, &labeller.label(p))?;
            labeller.label_into(p, &mut reused);
            check_labelled(p, &reused)?;
        }
    }

    #[test]
    fn labels_independent_of_reads_and_placement(
        site in gen::site(6),
        cuts in vec(any::<Index>(), 0..8),
        before in 0usize..40,
    ) {
        let model = SiteModelBuilder::new().build(&site);
        let reread: Vec<Vec<u8>> = site.iter().map(|p| reassemble(p, &cuts)).collect();
        prop_assert_eq!(&reread, &site);
        prop_assert_eq!(&SiteModelBuilder::new().build(&reread), &model);
        let mut learner = SiteModelBuilder::new().learner();
        for p in &reread {
            learner.add(p);
        }
        prop_assert_eq!(&learner.finish(), &model);
        let labeller = Labeller::new(model);
        let mut reused = Labelled::new();
        for (p, q) in site.iter().zip(&reread) {
            let expected = observe(&labeller.label(p));
            prop_assert_eq!(&observe(&labeller.label(q)), &expected);
            // The same page elsewhere in memory, after labelling other pages
            // into the same buffers.
            let mut buf = vec![b'x'; before];
            buf.extend_from_slice(p);
            labeller.label_into(&buf[before..], &mut reused);
            prop_assert_eq!(&observe(&reused), &expected);
            prop_assert_eq!(observe(&dechaff::label(p)), observe(&dechaff::label(&buf[before..])));
        }
    }

    #[test]
    fn a_site_of_one_page_learns_nothing(page in gen::any_page()) {
        let mut learner = SiteModelBuilder::new().learner();
        learner.add(&page);
        prop_assert_eq!(learner.pages(), 1);
        let model = learner.finish();
        prop_assert_eq!(&model, &SiteModelBuilder::new().build([&page]));
        prop_assert_eq!((model.pages(), model.duplicate_pages()), (1, 0));
        prop_assert_eq!(model.templates().count(), 0);
        prop_assert_eq!(observe(&Labeller::new(model).label(&page)), observe(&dechaff::label(&page)));
    }

    #[test]
    fn learning_ignores_page_order(site in prop_oneof![gen::site(8), gen::site_with_near_duplicates(6)].prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle()))) {
        let (pages, shuffled) = site;
        let a = SiteModelBuilder::new().build(&pages);
        let b = SiteModelBuilder::new().build(&shuffled);
        prop_assert_eq!(a, b);
    }

    #[test]
    fn learning_ignores_page_order_with_small_sample(
        site in gen::site_with_near_duplicates(6).prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
        sample in 0usize..4,
    ) {
        let (pages, shuffled) = site;
        let mut builder = SiteModelBuilder::new();
        builder.sample_pages(sample);
        prop_assert_eq!(builder.build(&pages), builder.build(&shuffled));
    }

    #[test]
    fn merge_is_commutative(site in gen::site(10), at in any::<Index>(), share in prop_oneof![Just(0.03), 0.0..=1.0f64]) {
        let (x, y) = site.split_at(at.index(site.len() + 1));
        let mut builder = SiteModelBuilder::new();
        builder.min_share(share);
        let (a, b) = (builder.build(x), builder.build(y));
        let ab = a.merge(&b);
        prop_assert_eq!(&ab, &b.merge(&a));
        prop_assert_eq!(ab.pages(), a.pages() + b.pages());
    }

    #[test]
    fn merge_with_empty_model_keeps_labels(site in gen::site(6)) {
        let model = SiteModelBuilder::new().build(&site);
        let empty = SiteModelBuilder::new().build(Vec::<Vec<u8>>::new());
        let merged = model.merge(&empty);
        prop_assert_eq!(&merged, &empty.merge(&model));
        let (merged, model) = (Labeller::new(merged), Labeller::new(model));
        for p in &site {
            prop_assert_eq!(observe(&merged.label(p)), observe(&model.label(p)));
        }
    }

    #[test]
    fn save_then_load_is_identity(sites in vec(gen::site(5), 1..4), share in prop_oneof![Just(0.03), 0.0..=1.0f64]) {
        let mut builder = SiteModelBuilder::new();
        builder.min_share(share);
        let mut set = ModelSet::new();
        for (i, site) in sites.iter().enumerate() {
            let model = builder.build(site);
            // Binary (`save`) and JSON (`save_json`): each loads back equal
            // and saves again byte for byte.
            for json in [false, true] {
                let save = |m: &SiteModel, file: &mut Vec<u8>| {
                    if json { m.save_json(file) } else { m.save(file) }
                };
                let mut file = Vec::new();
                save(&model, &mut file).unwrap();
                let loaded = SiteModel::load(&file[..]).unwrap();
                prop_assert_eq!(&loaded, &model);
                let mut again = Vec::new();
                save(&loaded, &mut again).unwrap();
                prop_assert_eq!(&again, &file);
            }
            set.insert(format!("site-{i}"), model);
        }
        let (mut binary, mut json) = (Vec::new(), Vec::new());
        set.save(&mut binary).unwrap();
        set.save_json(&mut json).unwrap();
        let from_binary = ModelSet::load(&binary[..]).unwrap();
        prop_assert_eq!(&from_binary, &ModelSet::load(&json[..]).unwrap());
        prop_assert_eq!(from_binary, set);
    }

    #[test]
    fn labelling_anything_never_panics(
        site in vec(gen::any_page(), 0..6),
        share in prop_oneof![Just(0.03), Just(0.0), Just(1.0), Just(f64::NAN), any::<f64>()],
        sample in prop_oneof![Just(64usize), 0usize..3],
        pages in vec(gen::any_page(), 1..4),
    ) {
        let mut builder = SiteModelBuilder::new();
        builder.min_share(share).sample_pages(sample);
        let model = builder.build(&site);
        // A template is a key seen on two pages: none without two pages,
        // and none on more pages than the site has.
        prop_assert!(model.pages() >= 2 || model.templates().count() == 0);
        for t in model.templates() {
            prop_assert!((1..=model.pages()).contains(&t.pages), "{} of {} pages", t.pages, model.pages());
        }
        let labeller = Labeller::new(model);
        for page in site.iter().chain(&pages) {
            let labelled = labeller.label(page);
            prop_assert_eq!(labelled.len(), dechaff::lines(page).count());
            let _ = labelled.body_text();
            for line in labelled.iter() {
                let _ = line.reason().to_string();
            }
        }
    }
}
