//! Loading arbitrary bytes as a model file (binary or JSON) returns an
//! error or a model, never panics; a model that loads labels pages without
//! panicking and saves, in either format, to a file that loads back equal.
#![no_main]

use dechaff::{Labeller, ModelSet, SiteModel};
use libfuzzer_sys::fuzz_target;

const PAGE: &[u8] = "Startseite\n- Politik\nDer Stadtrat hat am Dienstag den neuen Haushalt beschlossen.\n\nStellenangebote\nSachbearbeiter Finanzen (m/w/d)\nWas denken Sie zum Artikel \"Haushalt\" für unsere Leser?\nEs werden alle Kommentare moderiert!\n".as_bytes();

fn exercise(model: &SiteModel) {
    let labelled = Labeller::new(model.clone()).label(PAGE);
    assert_eq!(labelled.len(), dechaff::lines(PAGE).count());
    let _ = model.templates().count();
    let _ = model.merge(model);
    let (mut file, mut json) = (Vec::new(), Vec::new());
    model.save(&mut file).expect("saving to memory");
    model.save_json(&mut json).expect("saving to memory");
    for file in [file, json] {
        assert_eq!(
            &SiteModel::load(&file[..]).expect("loading what was saved"),
            model
        );
    }
}

/// Binary files carry their body's length and CRC-32, which mutated bytes
/// almost never match: this copy of `data` has them fixed, so the fuzzer
/// reaches the decoder behind them.
fn with_valid_header(data: &[u8]) -> Option<Vec<u8>> {
    const HEADER: usize = 28;
    if data.len() < HEADER || !data.starts_with(b"\xFFdechaff") {
        return None;
    }
    let mut file = data.to_vec();
    let body_len = (file.len() - HEADER) as u64;
    file[16..24].copy_from_slice(&body_len.to_le_bytes());
    let crc = crc32fast::hash(&file[HEADER..]);
    file[24..28].copy_from_slice(&crc.to_le_bytes());
    Some(file)
}

fuzz_target!(|data: &[u8]| {
    load_and_exercise(data);
    if let Some(fixed) = with_valid_header(data) {
        load_and_exercise(&fixed);
    }
});

fn load_and_exercise(data: &[u8]) {
    if let Ok(model) = SiteModel::load(data) {
        exercise(&model);
    }
    if let Ok(set) = ModelSet::load(data) {
        for (_, model) in set.iter() {
            exercise(model);
        }
        let (mut file, mut json) = (Vec::new(), Vec::new());
        set.save(&mut file).expect("saving to memory");
        set.save_json(&mut json).expect("saving to memory");
        for file in [file, json] {
            assert_eq!(
                ModelSet::load(&file[..]).expect("loading what was saved"),
                set
            );
        }
    }
}
