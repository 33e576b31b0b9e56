//! What one COMPUTE unit on a contract buys: Keystone unified limits (as Nova reads them
//! with `[quota] driver = nova.quota.UnifiedLimitsDriver`) and the same in Nova's legacy
//! `os-quota-sets` names.

/// Per unit: 16 vCPUs, 64 GiB of memory, 10 instances.
pub const VCPUS: i64 = 16;
pub const MEMORY_MB: i64 = 64 * 1024;
pub const INSTANCES: i64 = 10;
/// The default a registered limit gets when the cloud has none: nothing without a
/// contract.
pub const REGISTERED_DEFAULT: i64 = 0;

/// Keystone unified limits for `units` (resource name, limit), sorted by name.
pub fn unified(units: u32) -> Vec<(String, i64)> {
    let u = i64::from(units);
    vec![
        ("class:MEMORY_MB".into(), MEMORY_MB * u),
        ("class:VCPU".into(), VCPUS * u),
        ("servers".into(), INSTANCES * u),
    ]
}

/// Nova `os-quota-sets` values for `units`, sorted by name.
pub fn nova(units: u32) -> Vec<(String, i64)> {
    let u = i64::from(units);
    vec![
        ("cores".into(), VCPUS * u),
        ("instances".into(), INSTANCES * u),
        ("ram".into(), MEMORY_MB * u),
    ]
}

#[cfg(test)]
mod tests {
    use crate::onboarding::quotas;

    #[test]
    fn quotas_scale_with_the_units_on_contract() {
        assert_eq!(
            quotas::unified(2),
            [
                ("class:MEMORY_MB".to_string(), 131072),
                ("class:VCPU".to_string(), 32),
                ("servers".to_string(), 20)
            ]
        );
        assert_eq!(quotas::nova(1)[0], ("cores".to_string(), 16));
    }
}
