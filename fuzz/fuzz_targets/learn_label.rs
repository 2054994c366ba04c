//! Learn a site model from pages cut out of the input at form feeds
//! (`\x0c`), label every page, and check one label per line, the segments,
//! a save/load round trip and a merge.
#![no_main]

use dechaff::{lines, Labelled, Labeller, SiteModel, SiteModelBuilder};
use libfuzzer_sys::fuzz_target;

fn check(page: &[u8], labelled: &Labelled) {
    assert_eq!(labelled.len(), lines(page).count(), "one label per line");
    let mut next = 0;
    for segment in labelled.segments() {
        assert_eq!(segment.lines().start, next);
        next = segment.lines().end;
    }
    assert_eq!(next, labelled.len(), "segments cover every line");
    let _ = labelled.body_text();
    for (line, scanned) in labelled.iter().zip(lines(page)) {
        assert_eq!(line.full_span(), scanned.full_span());
        let _ = line.reason().to_string();
    }
}

fuzz_target!(|data: &[u8]| {
    let pages: Vec<&[u8]> = data.split(|&b| b == b'\x0c').collect();
    // A small sample, so that the sampling code is exercised too.
    let mut builder = SiteModelBuilder::new();
    builder.sample_pages(4);
    let model = builder.build(&pages);
    let labeller = Labeller::new(model.clone());
    let mut reused = Labelled::new();
    for page in &pages {
        check(page, &labeller.label(page));
        check(page, &dechaff::label(page));
        labeller.label_into(page, &mut reused);
        check(page, &reused);
    }

    let mut file = Vec::new();
    model.save(&mut file).expect("saving to memory");
    assert_eq!(
        SiteModel::load(&file[..]).expect("loading what was saved"),
        model
    );

    let half = pages.len() / 2;
    let (a, b) = (builder.build(&pages[..half]), builder.build(&pages[half..]));
    let merged = a.merge(&b);
    assert_eq!(merged, b.merge(&a), "merge is commutative");
    if let Some(page) = pages.first() {
        check(page, &Labeller::new(merged).label(page));
    }
});
