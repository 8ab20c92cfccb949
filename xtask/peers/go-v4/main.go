// Go's golang-jwt v4, as Debian packages it (golang-github-golang-jwt-jwt-dev),
// for machines where the Go module proxy cannot be reached to fetch the v5
// that xtask/peers/go/main.go measures. Same cases, claims, headers, keys,
// validation and output as that program; the constants and claim types are a
// copy of it (two Go programs built in different modes cannot share a
// package), so change both together. Built in GOPATH mode against
// /usr/share/gocode by `cargo xtask bench-report`, which passes the package's
// version with -ldflags "-X main.jwtVersion=...". Prints one JSON object:
// {"versions": "...", "mint": {case: tokens/s}, "verify": {case: tokens/s}}.
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
	"strconv"
	"time"

	// v4, despite the path: Debian installs it as
	// /usr/share/gocode/src/github.com/golang-jwt/jwt (its go.mod says
	// .../v4), and GOPATH mode resolves imports to directories.
	"github.com/golang-jwt/jwt"
)

// jwtVersion is set at build time from the Debian package's version.
var jwtVersion = "(version unknown)"

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

// v4 has no parser options for iss, aud, sub or required claims: each claims
// type's Valid, which ParseWithClaims calls, checks what the v5 program asks
// its parser for. Like v5's validator (and without leeway): exp is required
// and must be in the future, iat and nbf must not be.
func checkTimes(iat, nbf, exp int64) error {
	now := jwt.TimeFunc().Unix()
	switch {
	case exp == 0:
		return errors.New("exp missing")
	case now >= exp:
		return jwt.ErrTokenExpired
	case now < iat:
		return jwt.ErrTokenUsedBeforeIssued
	case now < nbf:
		return jwt.ErrTokenNotValidYet
	}
	return nil
}

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

func (c *vdrClaims) Valid() error {
	if err := checkTimes(c.Iat, 0, c.Exp); err != nil {
		return err
	}
	if c.Iss != vdrIssuer || c.Aud != vdrAudience || c.Sub != vdrSubject {
		return errors.New("wrong iss, aud or sub")
	}
	return nil
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

func (c *clearanceClaims) Valid() error {
	if err := checkTimes(c.Iat, c.Nbf, c.Exp); err != nil {
		return err
	}
	if c.Iss != clearanceClientID || c.Sub != clearanceClientID {
		return errors.New("wrong iss or sub")
	}
	return nil
}

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
	parser := jwt.NewParser(jwt.WithValidMethods([]string{method.Alg()}))
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
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}))
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
		"versions": fmt.Sprintf("golang-jwt %s (Debian package) on %s", jwtVersion, runtime.Version()),
		"mint":     mint,
		"verify":   verify,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
}
