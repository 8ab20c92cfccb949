// Go's golang-jwt, mint and verify throughput on the claims, headers and
// validation the Rust benches use (constants kept in sync with
// crates/jwt-bench/src/fixtures.rs, as xtask/src/pyjwt_bench.py does). Built
// and run by `cargo xtask bench-report`; prints one JSON object on stdout:
// {"versions": "...", "mint": {case: tokens/s}, "verify": {case: tokens/s}}.
// golang-jwt is vendored (vendor/), so the build fetches nothing.
//
// Usage: golang-jwt-bench SECONDS_PER_CASE
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	vdrIssuer         = "b1e6a7c2-5d3f-4e8a-9c21-7f0d3b6a4e55"
	vdrCID            = "c7f1d2e3-a4b5-4c6d-8e9f-0a1b2c3d4e5f"
	vdrAudience       = "acme-production"
	vdrSubject        = "user:1234567"
	clearanceClientID = "svc-reporting-7f3a9c"
	clearanceKID      = "2024-07-rsa-signing-key-01"
	ttl               = 60
	// Tokens minted once and verified for the length of a run.
	verifyTTL = 86400
)

// vdrClaims are the VDR impersonation claims, in the vendor's member order.
type vdrClaims struct {
	Iss string   `json:"iss"`
	Iat int64    `json:"iat"`
	Exp int64    `json:"exp"`
	Aud string   `json:"aud"`
	Sub string   `json:"sub"`
	Cid string   `json:"cid"`
	Scp []string `json:"scp"`
}

func date(secs int64) *jwt.NumericDate { return jwt.NewNumericDate(time.Unix(secs, 0)) }

func (c *vdrClaims) GetExpirationTime() (*jwt.NumericDate, error) { return date(c.Exp), nil }
func (c *vdrClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return date(c.Iat), nil }
func (c *vdrClaims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (c *vdrClaims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c *vdrClaims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c *vdrClaims) GetAudience() (jwt.ClaimStrings, error) {
	return jwt.ClaimStrings{c.Aud}, nil
}

func newVDRClaims(life int64) *vdrClaims {
	now := time.Now().Unix()
	return &vdrClaims{
		Iss: vdrIssuer, Iat: now, Exp: now + life, Aud: vdrAudience, Sub: vdrSubject,
		Cid: vdrCID, Scp: []string{"read_only", "full_access"},
	}
}

// clearanceClaims are the Clearance client-assertion claims.
type clearanceClaims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Nbf int64  `json:"nbf"`
	Exp int64  `json:"exp"`
	Jti string `json:"jti"`
}

func (c *clearanceClaims) GetExpirationTime() (*jwt.NumericDate, error) { return date(c.Exp), nil }
func (c *clearanceClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return date(c.Iat), nil }
func (c *clearanceClaims) GetNotBefore() (*jwt.NumericDate, error)      { return date(c.Nbf), nil }
func (c *clearanceClaims) GetIssuer() (string, error)                   { return c.Iss, nil }
func (c *clearanceClaims) GetSubject() (string, error)                  { return c.Sub, nil }
func (c *clearanceClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

var seq uint64

func newClearanceClaims(life int64) *clearanceClaims {
	seq++
	now := time.Now().Unix()
	return &clearanceClaims{
		Iss: clearanceClientID, Sub: clearanceClientID, Iat: now, Nbf: now, Exp: now + life,
		Jti: fmt.Sprintf("%016x%016x", uint64(now), seq*0x9e3779b97f4a7c15),
	}
}

type ops struct {
	mint   func() error
	verify func() error
}

// vdr is one VDR-shaped case: `key` signs, `public` verifies.
func vdr(method jwt.SigningMethod, key, public interface{}) ops {
	token, err := jwt.NewWithClaims(method, newVDRClaims(verifyTTL)).SignedString(key)
	if err != nil {
		panic(err)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{method.Alg()}),
		jwt.WithIssuer(vdrIssuer),
		jwt.WithAudience(vdrAudience),
		jwt.WithSubject(vdrSubject),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	keyFunc := func(*jwt.Token) (interface{}, error) { return public, nil }
	return ops{
		mint: func() error {
			_, err := jwt.NewWithClaims(method, newVDRClaims(ttl)).SignedString(key)
			return err
		},
		verify: func() error {
			_, err := parser.ParseWithClaims(token, &vdrClaims{}, keyFunc)
			return err
		},
	}
}

func clearance(key *rsa.PrivateKey) ops {
	sign := func(life int64) (string, error) {
		t := jwt.NewWithClaims(jwt.SigningMethodRS256, newClearanceClaims(life))
		t.Header["kid"] = clearanceKID
		return t.SignedString(key)
	}
	token, err := sign(verifyTTL)
	if err != nil {
		panic(err)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(clearanceClientID),
		jwt.WithSubject(clearanceClientID),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	keyFunc := func(*jwt.Token) (interface{}, error) { return &key.PublicKey, nil }
	return ops{
		mint: func() error {
			_, err := sign(ttl)
			return err
		},
		verify: func() error {
			claims := &clearanceClaims{}
			if _, err := parser.ParseWithClaims(token, claims, keyFunc); err != nil {
				return err
			}
			if claims.Jti == "" {
				return errors.New("no jti")
			}
			return nil
		},
	}
}

func rate(op func() error, seconds float64) float64 {
	if err := op(); err != nil {
		panic(err)
	}
	count := 0
	start := time.Now()
	limit := time.Duration(seconds * float64(time.Second))
	for {
		if err := op(); err != nil {
			panic(err)
		}
		count++
		if elapsed := time.Since(start); elapsed >= limit {
			return float64(count) / elapsed.Seconds()
		}
	}
}

func version() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/golang-jwt/jwt/v5" {
				return dep.Version
			}
		}
	}
	return "(version unknown)"
}

func main() {
	seconds := 1.0
	if len(os.Args) > 1 {
		if s, err := strconv.ParseFloat(os.Args[1], 64); err == nil {
			seconds = s
		}
	}
	p521, err := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	if err != nil {
		panic(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err)
	}
	names := []string{"ES512", "ES256", "RS256-2048", "HS256"}
	cases := map[string]ops{
		"ES512":      vdr(jwt.SigningMethodES512, p521, &p521.PublicKey),
		"ES256":      vdr(jwt.SigningMethodES256, p256, &p256.PublicKey),
		"RS256-2048": clearance(rsa2048),
		"HS256":      vdr(jwt.SigningMethodHS256, secret, secret),
	}
	mint := map[string]float64{}
	verify := map[string]float64{}
	for _, name := range names {
		mint[name] = rate(cases[name].mint, seconds)
		verify[name] = rate(cases[name].verify, seconds)
	}
	out, err := json.Marshal(map[string]interface{}{
		"versions": fmt.Sprintf("golang-jwt %s on %s", version(), runtime.Version()),
		"mint":     mint,
		"verify":   verify,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
}
