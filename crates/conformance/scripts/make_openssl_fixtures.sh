#!/usr/bin/env bash
# Regenerates fixtures/openssl/ with the system openssl (run from crates/conformance).
# The committed files were made once with OpenSSL 3.0; tests never run openssl.
set -euo pipefail
cd fixtures/openssl
for c in 256 384 521; do
  case $c in 256) n=prime256v1;; 384) n=secp384r1;; 521) n=secp521r1;; esac
  openssl ecparam -genkey -name $n -noout -out ec_p${c}_sec1.pem
  openssl ec -in ec_p${c}_sec1.pem -pubout -out ec_p${c}_spki.pem
  openssl pkcs8 -topk8 -nocrypt -in ec_p${c}_sec1.pem -out ec_p${c}_pkcs8.pem
  openssl ec -in ec_p${c}_sec1.pem -outform DER -out ec_p${c}_sec1.der
  openssl pkcs8 -topk8 -nocrypt -in ec_p${c}_sec1.pem -outform DER -out ec_p${c}_pkcs8.der
  openssl ec -in ec_p${c}_sec1.pem -pubout -outform DER -out ec_p${c}_spki.der
done
openssl ecparam -genkey -name secp521r1 -out ec_p521_sec1_with_params.pem
openssl ec -in ec_p521_sec1_with_params.pem -pubout -out ec_p521_sec1_with_params_spki.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048_pkcs8.pem
openssl rsa -in rsa2048_pkcs8.pem -traditional -out rsa2048_pkcs1.pem
openssl rsa -in rsa2048_pkcs8.pem -pubout -out rsa2048_spki.pem
openssl rsa -in rsa2048_pkcs8.pem -RSAPublicKey_out -out rsa2048_pkcs1_public.pem
openssl pkcs8 -topk8 -nocrypt -in rsa2048_pkcs8.pem -outform DER -out rsa2048_pkcs8.der
openssl rsa -in rsa2048_pkcs8.pem -traditional -outform DER -out rsa2048_pkcs1.der
openssl rsa -in rsa2048_pkcs8.pem -pubout -outform DER -out rsa2048_spki.der
openssl genrsa -traditional -out rsa3072_genrsa_pkcs1.pem 3072
openssl rsa -in rsa3072_genrsa_pkcs1.pem -pubout -out rsa3072_genrsa_spki.pem
openssl genpkey -algorithm ED25519 -out ed25519_pkcs8.pem
openssl pkey -in ed25519_pkcs8.pem -pubout -out ed25519_spki.pem
openssl pkey -in ed25519_pkcs8.pem -outform DER -out ed25519_pkcs8.der
openssl pkey -in ed25519_pkcs8.pem -pubout -outform DER -out ed25519_spki.der
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:x -in ec_p256_sec1.pem -out ec_p256_pkcs8_encrypted.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:x -in ec_p256_sec1.pem -outform DER -out ec_p256_pkcs8_encrypted.der
python3 ../../scripts/make_openssl_signatures.py
