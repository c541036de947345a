//! Tells SigV4 the payload's SHA-256 the caller already computed, so the
//! body is hashed once for both the checksum header and the signature.

use aws_runtime::auth::PayloadSigningOverride;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Tells SigV4 the payload's SHA-256 (lower-case hex) instead of letting it
/// hash the body again. aws-runtime reads this override from the config
/// bag; an interceptor is the public way to put it there per request.
#[derive(Debug)]
pub(super) struct SignedPayloadHash(pub(super) String);

impl Intercept for SignedPayloadHash {
    fn name(&self) -> &'static str {
        "SignedPayloadHash"
    }

    fn modify_before_signing(
        &self,
        _context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(PayloadSigningOverride::Precomputed(self.0.clone()));
        Ok(())
    }
}
