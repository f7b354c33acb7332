//! What answering a list costs in JSON: fifty entries of about 200 characters.
#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use journal_domain::{EntryId, JournalEntry, UserId};

fn serialization(criterion: &mut Criterion) {
    let owner = UserId::new(uuid::Uuid::new_v4());
    let text = "Slept well, wrote in the morning, fixed the bike chain, called home. ".repeat(3);
    let entries: Vec<JournalEntry> = (1..=50)
        .map(|id| JournalEntry {
            id: EntryId::new(id),
            user_id: owner,
            content: text.clone(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        })
        .collect();

    criterion.bench_function("serialize/50_entries", |bench| {
        bench.iter(|| serde_json::to_vec(&entries).unwrap());
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    targets = serialization
}
criterion_main!(benches);
