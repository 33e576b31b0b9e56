use super::*;

fn quiet() -> HealthInput {
    HealthInput {
        days_since_contact: Some(10),
        usual_per_30: Some(4.0),
        tickets_last_30: 4,
        ..Default::default()
    }
}

/// A case: its name, the inputs, the expected score, and the penalties of the parts that
/// took anything off.
type Case = (&'static str, HealthInput, u8, &'static [(Part, f64)]);

#[test]
fn scores_from_known_inputs() {
    let cases: Vec<Case> = vec![
        ("all well", quiet(), 100, &[]),
        (
            "never heard from: silence is a signal",
            HealthInput::default(),
            88,
            &[(Part::Contact, 12.0)],
        ),
        (
            "two of ten targets breached, one urgent open",
            HealthInput {
                sla_breached: 2,
                sla_met: 8,
                open_urgent: 1,
                ..quiet()
            },
            77,
            &[(Part::Sla, 20.0), (Part::Urgent, 3.3)],
        ),
        (
            "volume four times the usual, a major incident",
            HealthInput {
                tickets_last_30: 16,
                incident_weight: 2,
                ..quiet()
            },
            85,
            &[(Part::Volume, 10.0), (Part::Incidents, 5.0)],
        ),
        (
            "bad ratings, 120 days silent, contract ends in 30 days, overdue onboarding",
            HealthInput {
                ratings: (1, 1, 2),
                days_since_contact: Some(120),
                contract_ends_in: Some(30),
                onboarding_overdue: 1,
                ..quiet()
            },
            71,
            &[
                (Part::Onboarding, 5.0),
                (Part::Contact, 7.5),
                (Part::Satisfaction, 9.4),
                (Part::Renewal, 6.7),
            ],
        ),
        (
            "everything at its worst",
            HealthInput {
                sla_breached: 20,
                sla_met: 0,
                open_urgent: 5,
                tickets_last_30: 50,
                usual_per_30: Some(2.0),
                incident_weight: 9,
                onboarding_overdue: 3,
                days_since_contact: Some(400),
                ratings: (0, 0, 5),
                contract_ends_in: Some(0),
            },
            0,
            &[
                (Part::Sla, 25.0),
                (Part::Urgent, 10.0),
                (Part::Volume, 10.0),
                (Part::Incidents, 10.0),
                (Part::Onboarding, 10.0),
                (Part::Contact, 15.0),
                (Part::Satisfaction, 10.0),
                (Part::Renewal, 10.0),
            ],
        ),
    ];
    for (name, input, expected, penalties) in cases {
        let h = score(&input, &Weights::default());
        let taken: Vec<(Part, f64)> = h
            .parts
            .iter()
            .filter(|p| p.penalty > 0.0)
            .map(|p| (p.part, p.penalty))
            .collect();
        assert_eq!(taken, penalties, "{name}");
        assert_eq!(h.score, expected, "{name}");
        assert_eq!(h.parts.len(), 8, "{name}: every part is explained");
        assert!(h.parts.iter().all(|p| !p.why.is_empty()));
    }
}

#[test]
fn weights_are_typed_as_parts_summing_to_100() {
    let w = Weights::parse(
        "sla=40 urgent=10 volume=5 incidents=5 onboarding=10 contact=10 satisfaction=10 renewal=10",
    )
    .unwrap();
    assert_eq!(w.of(Part::Sla), 40.0);
    assert_eq!(Weights::parse(&w.text()).unwrap(), w);
    let h = score(
        &HealthInput {
            sla_breached: 10,
            ..quiet()
        },
        &w,
    );
    assert_eq!(h.score, 60);
    for bad in [
        "sla=50",
        "sla=40 urgent=10 volume=5 incidents=5 onboarding=10 contact=10 satisfaction=10 renewal=11",
        "gpu=10",
        "sla=x",
    ] {
        assert!(Weights::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_part_that_moved_most() {
    let before = score(&quiet(), &Weights::default());
    let after = score(
        &HealthInput {
            open_urgent: 3,
            sla_breached: 2,
            sla_met: 8,
            ..quiet()
        },
        &Weights::default(),
    );
    assert_eq!(moved_most(&before, &after), Some((Part::Sla, 20.0)));
    assert_eq!(moved_most(&before, &before), None);
}
