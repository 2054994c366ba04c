//! Six-label behaviour on a made-up German news site: a job box whose
//! lines repeat, an ad label and its teaser, and a comment section with
//! readers' comments, author and time lines, learned from three pages.

use dechaff::{Label, Labeller, SiteModelBuilder};

fn page(title: &str, body: &[&str], comments: &[(&str, &str)]) -> String {
    let mut p = format!(
        "{title} | Weserkurier Nord\nZum Inhalt springen\n- Startseite\n- Region\n- Sport\n- Kultur\nSuche\n{title}\nVon Anna Berger | 12.04.2025, 08:15 Uhr\n"
    );
    for b in body {
        p.push_str(b);
        p.push('\n');
    }
    p.push_str("Anzeige\nJetzt das Wochenend-Abo testen: vier Wochen für nur 1 Euro\n");
    p.push_str("Stellenangebote\nSachbearbeitung Bürgerbüro (m/w/d)\nStadt Weserhafen\nPflegefachkraft Nachtdienst\nKlinikum Nord\nAlle Jobs anzeigen\n");
    p.push_str(&format!("{} Kommentare\n", comments.len()));
    for (who, what) in comments {
        p.push_str(&format!(
            "{who}\nvor 2 Stunden\n{what}\nAntworten\nMelden\n"
        ));
    }
    p.push_str("Kommentar schreiben\nBitte halten Sie sich an unsere Netiquette. Beleidigende Beiträge werden gelöscht.\n- Impressum\n- Datenschutz\n© 2025 Weserkurier Nord GmbH\n");
    p
}

#[test]
fn job_box_ad_and_comment_section_of_a_learned_site() {
    let pages = [
        page(
            "Neue Fähre verbindet beide Ufer",
            &["Seit Montag pendelt eine neue Elektrofähre zwischen Altstadt und Hafenviertel, die Überfahrt dauert sieben Minuten.", "Der Betreiber rechnet im ersten Jahr mit rund 300.000 Fahrgästen, vor allem Berufspendlern und Schülern."],
            &[("Klaus M.", "Endlich! Ich habe jahrelang auf so eine Verbindung gewartet, das spart mir jeden Tag eine halbe Stunde.")],
        ),
        page(
            "Stadtrat beschließt Tempo 30",
            &["Der Stadtrat hat mit knapper Mehrheit beschlossen, in der gesamten Innenstadt Tempo 30 einzuführen.", "Die Opposition kritisierte, der Beschluss sei ohne Bürgerbeteiligung zustande gekommen, und kündigte Widerstand an."],
            &[("Hans Peter", "Das wird den Verkehr nur auf die Wohnstraßen verlagern, ich bin gespannt."), ("radfahrerin_77", "Sehr gut, als Radfahrerin fühle ich mich endlich sicherer in der Stadt.")],
        ),
        page(
            "Freibad öffnet früher",
            &["Wegen der warmen Witterung öffnet das Freibad am Deich bereits am kommenden Samstag, teilte die Stadt mit.", "Die Eintrittspreise bleiben stabil, Kinder unter sechs Jahren haben weiterhin freien Eintritt."],
            &[("Jana", "Super Nachricht, die Kinder freuen sich riesig auf den ersten Badetag!")],
        ),
    ];
    let model = SiteModelBuilder::new().build(&pages);
    let labelled: Vec<(Label, String)> = Labeller::new(model)
        .label(&pages[1])
        .iter()
        .filter(|l| !l.is_blank())
        .map(|l| (l.label(), String::from_utf8_lossy(l.bytes()).into_owned()))
        .collect();
    let label_of = |prefix: &str| {
        labelled
            .iter()
            .find(|(_, t)| t.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?}"))
            .0
    };
    assert_eq!(label_of("Der Stadtrat hat"), Label::Body);
    assert_eq!(label_of("Die Opposition"), Label::Body);
    assert_eq!(label_of("Anzeige"), Label::Advertisement);
    assert_eq!(label_of("Jetzt das Wochenend-Abo"), Label::Advertisement);
    for job in [
        "Stellenangebote",
        "Sachbearbeitung",
        "Pflegefachkraft",
        "Alle Jobs",
    ] {
        assert_eq!(label_of(job), Label::JobAd, "{job}");
    }
    for comment in [
        "2 Kommentare",
        "Hans Peter",
        "vor 2 Stunden",
        "Das wird den Verkehr",
        "Sehr gut, als",
        "Antworten",
        "Kommentar schreiben",
        "Bitte halten Sie",
    ] {
        assert_eq!(label_of(comment), Label::CommentPolicy, "{comment}");
    }
    assert_eq!(label_of("- Impressum"), Label::Navigation);
    assert_eq!(label_of("© 2025"), Label::Other);
    assert_eq!(labelled[0].0, Label::Other, "the title line");
}
