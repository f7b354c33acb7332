//! What verification costs: a full `Verifier::verify` (header, key lookup, signature, claims,
//! with the memory of recent tokens off) beside the bare signature check of the same algorithm,
//! the same token verified again while remembered, and verification from many tasks at once,
//! which exercises the key cache's read path under concurrency.
#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use journal_auth::{NoExtraClaims, Verifier, VerifierConfig};
use journal_testkit::{JwksServer, TestKey, jwks_of, standard_claims};

const SUBJECT: &str = "52c582b6-6d80-46d3-899a-9baba1d0d35f";

fn verification(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let keys = [TestKey::ed25519(), TestKey::p256(), TestKey::rsa2048()];
    let server = runtime.block_on(JwksServer::start(&jwks_of(
        &keys.iter().collect::<Vec<_>>(),
    )));
    let url = url::Url::parse(&server.jwks_url()).unwrap();
    let config = VerifierConfig::new(url, server.base_url(), vec![server.base_url()]);
    let verifier = Arc::new(verifier_with(&runtime, config.clone()));
    let forgetful = Arc::new(verifier_with(
        &runtime,
        VerifierConfig {
            recent_tokens: 0,
            ..config
        },
    ));

    for key in &keys {
        let token = key.sign(&standard_claims(&server.base_url(), SUBJECT));
        let (message, signature) = token.rsplit_once('.').unwrap();
        let jwk = serde_json::from_value(key.public_jwk()).unwrap();
        let decoding = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let name = format!("{:?}", key.algorithm);

        criterion.bench_function(&format!("verify/{name}"), |bench| {
            bench.iter(|| runtime.block_on(forgetful.verify(&token)).unwrap());
        });
        criterion.bench_function(&format!("verify_remembered/{name}"), |bench| {
            bench.iter(|| runtime.block_on(verifier.verify(&token)).unwrap());
        });
        criterion.bench_function(&format!("bare_signature/{name}"), |bench| {
            bench.iter(|| {
                assert!(
                    jsonwebtoken::crypto::verify(
                        signature,
                        message.as_bytes(),
                        &decoding,
                        key.algorithm
                    )
                    .unwrap()
                );
            });
        });
    }

    let token = keys[0].sign(&standard_claims(&server.base_url(), SUBJECT));
    criterion.bench_function("verify/EdDSA/8_tasks_at_once", |bench| {
        bench.iter_custom(|iterations| {
            let per_task = iterations.div_ceil(8);
            let started = Instant::now();
            runtime.block_on(async {
                let tasks: Vec<_> = (0..8)
                    .map(|_| {
                        let verifier = Arc::clone(&forgetful);
                        let token = token.clone();
                        tokio::spawn(async move {
                            for _ in 0..per_task {
                                verifier.verify(&token).await.unwrap();
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
            });
            started
                .elapsed()
                .div_f64((per_task * 8) as f64 / iterations as f64)
        });
    });
}

/// A verifier over `config` that already holds the issuer's keys.
fn verifier_with(
    runtime: &tokio::runtime::Runtime,
    config: VerifierConfig,
) -> Verifier<NoExtraClaims> {
    let verifier = runtime
        .block_on(async { Verifier::<NoExtraClaims>::new(config) })
        .unwrap();
    runtime.block_on(verifier.refresh_keys()).unwrap();
    verifier
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    targets = verification
}
criterion_main!(benches);
