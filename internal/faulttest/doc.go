// Package faulttest holds diembao's fault suite: process-level tests that
// run the real binary (built once per package run) and real nats-server
// processes on loopback, break something — the disk fills up, a process
// is killed with SIGKILL, the SMTP server or NATS goes away, a cluster node
// dies — and check that nothing is lost and nothing doubled: every article
// indexed once, every alert mailed once per audience.
//
// The disk-full test mounts a tmpfs and therefore needs root (CI runs as
// root); when it cannot mount it fails with the reason instead of skipping.
package faulttest
