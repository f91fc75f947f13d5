/*
 * unit tests for the pure parts of raizctl resolution-trial: rtjudge.c
 * (DNSSEC chain from a trust anchor, signed apex answers, referrals, DS
 * and the NSEC/NSEC3 proofs of NXDOMAIN and of no DS, sampling of
 * delegations, NSID, service-ns, comparing with the primary) and
 * rtreport.c (verdict, exit status, text and JSON); and the zone key
 * "service-ns" of raiz.json (common/config_dnsd.c) that the trial checks.
 *
 * The packets are built from canned zones: t.test. signed once with
 * ldns-signzone (ED25519 KSK 26358 + ZSK 44063, valid 2026-01-01 to
 * 2036-01-01) with NSEC, with NSEC3 and with NSEC3 opt-out; the judgements
 * run at NOW, 2030-01-01, so no test depends on the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ldns/ldns.h>

#include "common/config.h"
#include "raizctl/rtjudge.h"
#include "raizctl/rtreport.h"

#define NOW ((time_t)1893456000)	/* 2030-01-01T00:00:00Z */
#define LATE ((time_t)2082844800)	/* 2036-01-02T00:00:00Z: the RRSIGs have expired */
#define ANCHOR_DS "t.test. IN DS 26358 15 2 " \
	"0602956964ab653888fc8694b60b58dedd72d9f253e9ba3449f9798ef61405d0"
#define ANCHOR_KEY "t.test. 3600 IN DNSKEY 257 3 15 z3ME6Xoeq//o78+y0ZBe8daGRrE+Etk7Qa7iNTlf7Xw="

/* ldns-signzone, NSEC */
static const char *const zone_nsec[] = {
	"t.test. 3600 IN SOA ns1.t.test. hostmaster.t.test. 2026010101 3600 600 1209600 "
		"300",
	"t.test. 3600 IN RRSIG SOA 15 2 3600 20360101000000 20260101000000 44063 t.test. "
		"bczLijNn3Bsrj925AXMVG8clmbvQ3ngkjKokuS2h1OaSAbivCTNkNcWSz4P+b/mP61WWUrCI2Ve/9EjipvBsBw==",
	"t.test. 3600 IN NS ns1.t.test.",
	"t.test. 3600 IN NS ns2.t.test.",
	"t.test. 3600 IN RRSIG NS 15 2 3600 20360101000000 20260101000000 44063 t.test. "
		"UTZ1wyP5eRKDgNCkizFSJt/rca+hnyyOC2v7V1J0sVX/Ei1d2FhYi+QO6t6qp0v59A0/Vf52NoHL2sE1ft0mAw==",
	"t.test. 3600 IN DNSKEY 256 3 15 h9MOuFsRiPuWBUlOaBMr70X2sAMP93Ws67oMYtIWdFA=",
	"t.test. 3600 IN DNSKEY 257 3 15 z3ME6Xoeq//o78+y0ZBe8daGRrE+Etk7Qa7iNTlf7Xw=",
	"t.test. 3600 IN RRSIG DNSKEY 15 2 3600 20360101000000 20260101000000 26358 "
		"t.test. "
		"6Kl8NGMxn+rjf+kW2C/BGlLMKBaPxHhtHauemzrpUsOTYVG/0eK+VOUrA90AlWnD3A8PpUUe9xpnyCtLggTkDw==",
	"t.test. 300 IN NSEC a.t.test. NS SOA RRSIG NSEC DNSKEY",
	"t.test. 300 IN RRSIG NSEC 15 2 300 20360101000000 20260101000000 44063 t.test. "
		"tit0zzBoglPtayJF/Ff4eVJsWsHgV8gEeinYxWOWw7d/cbkonru9Mhh76Q5c4kYIjVhqE6HGAnc8JvB/z35LAg==",
	"a.t.test. 3600 IN A 192.0.2.10",
	"a.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 t.test. "
		"et+bnuGtAKLbiVv57H85ohbPxFPzn3r/JVdBh4D7VhyUzjATzt2xehs/e5BDV/UXihFTyRRjmUQnvOJNtF8fDw==",
	"a.t.test. 300 IN NSEC d1.t.test. A RRSIG NSEC",
	"a.t.test. 300 IN RRSIG NSEC 15 3 300 20360101000000 20260101000000 44063 t.test. "
		"HdAAv2EIrTzR02dn9BPNMMwrBsSCZeQiayQbRsvCBjiwavKtrHYd8vOc7FSeYTXBRH4lYAgGfbIcS4ZnJzheBA==",
	"d1.t.test. 3600 IN NS ns.d1.t.test.",
	"d1.t.test. 3600 IN DS 4711 13 2 "
		"abababababababababababababababababababababababababababababababab",
	"d1.t.test. 3600 IN RRSIG DS 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"/2A5Mz6NwUdqh+agbsP23qg5Y7qQtWNtDj1g22XuC+Ko2XXEPiIfsWovtYFELZdrKMCTybwurPn1aLwjgm8VDQ==",
	"d1.t.test. 300 IN NSEC d2.t.test. NS DS RRSIG NSEC",
	"d1.t.test. 300 IN RRSIG NSEC 15 3 300 20360101000000 20260101000000 44063 "
		"t.test. "
		"6rNI3JJEigCHGpunrqabG3uka+lwlm9S4GpkhUYhRGjIWRp2BwBd16vMJNzR3q1JtSPBIFrWyid6Q5Mdq0dUAw==",
	"ns.d1.t.test. 3600 IN A 198.51.100.1",
	"d2.t.test. 3600 IN NS ns.example.net.",
	"d2.t.test. 300 IN NSEC m.t.test. NS RRSIG NSEC",
	"d2.t.test. 300 IN RRSIG NSEC 15 3 300 20360101000000 20260101000000 44063 "
		"t.test. "
		"wkS8HwHogZoa0eQY+DrI20Wlr8pcGjAEMWnDMOXvYvrygbYhSwTdBh7hpdLX8MECta9f44/loFAqvhmZa35sBw==",
	"m.t.test. 3600 IN A 192.0.2.11",
	"m.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 t.test. "
		"Od6cglSLETWHuGMmTNXOQzTgjd/JuViCOwel+N2kHhHOK3iLkqAbWGSw9OUDBFlqeDPx1Fyln7c7OUvXGkd1Bg==",
	"m.t.test. 300 IN NSEC ns1.t.test. A RRSIG NSEC",
	"m.t.test. 300 IN RRSIG NSEC 15 3 300 20360101000000 20260101000000 44063 t.test. "
		"m7rTuJSyHp6Nb36Co2aLVFbcvFmFsEfglxATEwW6u6EwkzzMbnWDl1yvROO5MNiOL8abKXy5+TnurbwFH02YAg==",
	"ns1.t.test. 3600 IN A 192.0.2.1",
	"ns1.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"PVjLgPkxxmqNJ4dPd05aeYRsBOxZBywALEyvfwrqF6sWajwqtqDMtZGvWIAtlev0EYVJ0Vaxsz8tQRHalhGlDA==",
	"ns1.t.test. 300 IN NSEC ns2.t.test. A RRSIG NSEC",
	"ns1.t.test. 300 IN RRSIG NSEC 15 3 300 20360101000000 20260101000000 44063 "
		"t.test. "
		"HR/DKIR77BZInbJ4qiLVmBLGgf1Eveb1l/8h8zqFXKFwgtquKO1YV6qCdXT0UtXqEVrtCc2Dmd+GeOf3mfVXBA==",
	"ns2.t.test. 3600 IN A 192.0.2.2",
	"ns2.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"+zpMF++ZjqS4S4IcNpgKK8WVZeI1EJmqQQlkuHu+CG7kBRRvNHKmUbUqgMPQdhTM+J1jQ7/T2o9hsKNEgVpyDA==",
	"ns2.t.test. 300 IN NSEC t.test. A RRSIG NSEC",
	"ns2.t.test. 300 IN RRSIG NSEC 15 3 300 20360101000000 20260101000000 44063 "
		"t.test. "
		"NXesKMCxUhcpHjR7fUIH5DFshneuMLdYrb9ntYAqQbkzBgPPNZHm3J1NCtSbDsm8Yw5IbUzH7+HBvsLtRgk7Cw==",
	NULL,
};

/* ldns-signzone -n -a 1 -t 0 -s aabbccdd (no opt-out) */
static const char *const zone_nsec3[] = {
	"t.test. 3600 IN SOA ns1.t.test. hostmaster.t.test. 2026010101 3600 600 1209600 "
		"300",
	"t.test. 3600 IN RRSIG SOA 15 2 3600 20360101000000 20260101000000 44063 t.test. "
		"bczLijNn3Bsrj925AXMVG8clmbvQ3ngkjKokuS2h1OaSAbivCTNkNcWSz4P+b/mP61WWUrCI2Ve/9EjipvBsBw==",
	"t.test. 3600 IN NS ns1.t.test.",
	"t.test. 3600 IN NS ns2.t.test.",
	"t.test. 3600 IN RRSIG NS 15 2 3600 20360101000000 20260101000000 44063 t.test. "
		"UTZ1wyP5eRKDgNCkizFSJt/rca+hnyyOC2v7V1J0sVX/Ei1d2FhYi+QO6t6qp0v59A0/Vf52NoHL2sE1ft0mAw==",
	"t.test. 3600 IN DNSKEY 256 3 15 h9MOuFsRiPuWBUlOaBMr70X2sAMP93Ws67oMYtIWdFA=",
	"t.test. 3600 IN DNSKEY 257 3 15 z3ME6Xoeq//o78+y0ZBe8daGRrE+Etk7Qa7iNTlf7Xw=",
	"t.test. 3600 IN RRSIG DNSKEY 15 2 3600 20360101000000 20260101000000 26358 "
		"t.test. "
		"6Kl8NGMxn+rjf+kW2C/BGlLMKBaPxHhtHauemzrpUsOTYVG/0eK+VOUrA90AlWnD3A8PpUUe9xpnyCtLggTkDw==",
	"t.test. 3600 IN NSEC3PARAM 1 0 0 aabbccdd",
	"t.test. 3600 IN RRSIG NSEC3PARAM 15 2 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"2fgrOvvBftv+n3Qw3NBUpkoT38VoFzx25Voyrd/RP/xpk8AcEi0NofHZuFqsrMeggoiJOvOmrvlTuvaLx3d9Cw==",
	"8j9hdut2g7h1cjk03lb91uc4chqat38t.t.test. 300 IN NSEC3 1 0 0 aabbccdd "
		"amek9eg1hvk244v958doembgfm07r2e7 NS SOA RRSIG DNSKEY NSEC3PARAM",
	"8j9hdut2g7h1cjk03lb91uc4chqat38t.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"z82eEHNZeWCC7kbCpnVbL/+rCKJIVlmT/kZMH3BmdAHcLnTpm6Z9Z4RUvxGaHdoRaVBa24Fdz6WhnCcugBAQDQ==",
	"a.t.test. 3600 IN A 192.0.2.10",
	"a.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 t.test. "
		"et+bnuGtAKLbiVv57H85ohbPxFPzn3r/JVdBh4D7VhyUzjATzt2xehs/e5BDV/UXihFTyRRjmUQnvOJNtF8fDw==",
	"2764npkei6pkkahbl2o22vk7g0a1d56j.t.test. 300 IN NSEC3 1 0 0 aabbccdd "
		"8j9hdut2g7h1cjk03lb91uc4chqat38t A RRSIG",
	"2764npkei6pkkahbl2o22vk7g0a1d56j.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"/wWIzAR/34Ds1BCPez4pEdI1PDOguVHrxntHDSJZyIUyACXeWRJHNkU3GqsLgR8WjVLqjfyqUr3VMS+P0kkXBw==",
	"d1.t.test. 3600 IN NS ns.d1.t.test.",
	"d1.t.test. 3600 IN DS 4711 13 2 "
		"abababababababababababababababababababababababababababababababab",
	"d1.t.test. 3600 IN RRSIG DS 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"/2A5Mz6NwUdqh+agbsP23qg5Y7qQtWNtDj1g22XuC+Ko2XXEPiIfsWovtYFELZdrKMCTybwurPn1aLwjgm8VDQ==",
	"jsmqf7gbm0roi4v2f22ppvh3hs6ggqiv.t.test. 300 IN NSEC3 1 0 0 aabbccdd "
		"tkd7dl8ns7g07cl0gshofa64ookhnlpq NS DS RRSIG",
	"jsmqf7gbm0roi4v2f22ppvh3hs6ggqiv.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"EsmRdndBKEAEA1axLOoyFNnbezRw/NenItqsVTx4zomN6yKthkg5hNoPij/m+tkObHknnXxt3tYKi9ETBOw4DA==",
	"ns.d1.t.test. 3600 IN A 198.51.100.1",
	"d2.t.test. 3600 IN NS ns.example.net.",
	"1lq4r3adbph8j4hkdckcnonkag4dga3q.t.test. 300 IN NSEC3 1 0 0 aabbccdd "
		"25e41pap8nt2aikb9lk8g9cdg9pqavgo NS",
	"1lq4r3adbph8j4hkdckcnonkag4dga3q.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"Ah2TlyoVdS+npJwpyU5JosAVTikoTsVYy8m9PGi0rGJ9uxXpNfi8YQHHoDLiCY9PM5b9pSW8c+5mC/eE0okHBw==",
	"m.t.test. 3600 IN A 192.0.2.11",
	"m.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 t.test. "
		"Od6cglSLETWHuGMmTNXOQzTgjd/JuViCOwel+N2kHhHOK3iLkqAbWGSw9OUDBFlqeDPx1Fyln7c7OUvXGkd1Bg==",
	"tkd7dl8ns7g07cl0gshofa64ookhnlpq.t.test. 300 IN NSEC3 1 0 0 aabbccdd "
		"1lq4r3adbph8j4hkdckcnonkag4dga3q A RRSIG",
	"tkd7dl8ns7g07cl0gshofa64ookhnlpq.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"s/A/XKD29b7Ut7YBcKAtH4ttkdGO5v22jsgLTqIvtsdiPu79NQWnh1bs7JEv7EKv9UZgShRunxnVNpIDNORpBg==",
	"ns1.t.test. 3600 IN A 192.0.2.1",
	"ns1.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"PVjLgPkxxmqNJ4dPd05aeYRsBOxZBywALEyvfwrqF6sWajwqtqDMtZGvWIAtlev0EYVJ0Vaxsz8tQRHalhGlDA==",
	"amek9eg1hvk244v958doembgfm07r2e7.t.test. 300 IN NSEC3 1 0 0 aabbccdd "
		"jsmqf7gbm0roi4v2f22ppvh3hs6ggqiv A RRSIG",
	"amek9eg1hvk244v958doembgfm07r2e7.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"OtWhd5MDjcRnSQSgTSnqshf8cbm5crqECjoRn9p+4NAVOnWNi9w5/wK7oFmSkB0JD9MGft7EqvXd2iJtUj86DQ==",
	"ns2.t.test. 3600 IN A 192.0.2.2",
	"ns2.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"+zpMF++ZjqS4S4IcNpgKK8WVZeI1EJmqQQlkuHu+CG7kBRRvNHKmUbUqgMPQdhTM+J1jQ7/T2o9hsKNEgVpyDA==",
	"25e41pap8nt2aikb9lk8g9cdg9pqavgo.t.test. 300 IN NSEC3 1 0 0 aabbccdd "
		"2764npkei6pkkahbl2o22vk7g0a1d56j A RRSIG",
	"25e41pap8nt2aikb9lk8g9cdg9pqavgo.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"GZrdBji1jDIOB81ODDGCL8CjD6YrTJ69lVsD3N3PWy+78iCMsOHe6JZ5RAj4W0+L7YuOjL/9Zs27z6q6zMvpCg==",
	NULL,
};

/* the same with -p (the opt-out flag), then the NSEC3 of the unsigned
 * delegation d2 taken out and the span before it re-signed with the ZSK
 * (ldns_sign_public), as an opt-out signer leaves it */
static const char *const zone_optout[] = {
	"t.test. 3600 IN SOA ns1.t.test. hostmaster.t.test. 2026010101 3600 600 1209600 "
		"300",
	"t.test. 3600 IN RRSIG SOA 15 2 3600 20360101000000 20260101000000 44063 t.test. "
		"bczLijNn3Bsrj925AXMVG8clmbvQ3ngkjKokuS2h1OaSAbivCTNkNcWSz4P+b/mP61WWUrCI2Ve/9EjipvBsBw==",
	"t.test. 3600 IN NS ns1.t.test.",
	"t.test. 3600 IN NS ns2.t.test.",
	"t.test. 3600 IN RRSIG NS 15 2 3600 20360101000000 20260101000000 44063 t.test. "
		"UTZ1wyP5eRKDgNCkizFSJt/rca+hnyyOC2v7V1J0sVX/Ei1d2FhYi+QO6t6qp0v59A0/Vf52NoHL2sE1ft0mAw==",
	"t.test. 3600 IN DNSKEY 256 3 15 h9MOuFsRiPuWBUlOaBMr70X2sAMP93Ws67oMYtIWdFA=",
	"t.test. 3600 IN DNSKEY 257 3 15 z3ME6Xoeq//o78+y0ZBe8daGRrE+Etk7Qa7iNTlf7Xw=",
	"t.test. 3600 IN RRSIG DNSKEY 15 2 3600 20360101000000 20260101000000 26358 "
		"t.test. "
		"6Kl8NGMxn+rjf+kW2C/BGlLMKBaPxHhtHauemzrpUsOTYVG/0eK+VOUrA90AlWnD3A8PpUUe9xpnyCtLggTkDw==",
	"t.test. 3600 IN NSEC3PARAM 1 0 0 aabbccdd",
	"t.test. 3600 IN RRSIG NSEC3PARAM 15 2 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"2fgrOvvBftv+n3Qw3NBUpkoT38VoFzx25Voyrd/RP/xpk8AcEi0NofHZuFqsrMeggoiJOvOmrvlTuvaLx3d9Cw==",
	"8j9hdut2g7h1cjk03lb91uc4chqat38t.t.test. 300 IN NSEC3 1 1 0 aabbccdd "
		"amek9eg1hvk244v958doembgfm07r2e7 NS SOA RRSIG DNSKEY NSEC3PARAM",
	"8j9hdut2g7h1cjk03lb91uc4chqat38t.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"yi/65wc7ufpcFOX+fmcsGoaPiILqOY8oQb/8B0/kiNpN9yrKKdAR6Jd0d7XJBDiShxixh0A61PD34IVvE1JVDw==",
	"a.t.test. 3600 IN A 192.0.2.10",
	"a.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 t.test. "
		"et+bnuGtAKLbiVv57H85ohbPxFPzn3r/JVdBh4D7VhyUzjATzt2xehs/e5BDV/UXihFTyRRjmUQnvOJNtF8fDw==",
	"2764npkei6pkkahbl2o22vk7g0a1d56j.t.test. 300 IN NSEC3 1 1 0 aabbccdd "
		"8j9hdut2g7h1cjk03lb91uc4chqat38t A RRSIG",
	"2764npkei6pkkahbl2o22vk7g0a1d56j.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"JBNsJzoaGPNbxF7iYP55ARFOKfNo6pebwAVvzYxYqJHNJ8iu0lKORIkK88M5UIDzQ+3pzaVwfrmCJ9Ag87U4AQ==",
	"d1.t.test. 3600 IN NS ns.d1.t.test.",
	"d1.t.test. 3600 IN DS 4711 13 2 "
		"abababababababababababababababababababababababababababababababab",
	"d1.t.test. 3600 IN RRSIG DS 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"/2A5Mz6NwUdqh+agbsP23qg5Y7qQtWNtDj1g22XuC+Ko2XXEPiIfsWovtYFELZdrKMCTybwurPn1aLwjgm8VDQ==",
	"jsmqf7gbm0roi4v2f22ppvh3hs6ggqiv.t.test. 300 IN NSEC3 1 1 0 aabbccdd "
		"tkd7dl8ns7g07cl0gshofa64ookhnlpq NS DS RRSIG",
	"jsmqf7gbm0roi4v2f22ppvh3hs6ggqiv.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"YMolkKudWqaWTG/JAWAUxO9a7emBQki/z3LX+jMU+XWO2OPtWA+DZHa5bHJFkXAU955ZNspWGbkb4KB23wLkBg==",
	"ns.d1.t.test. 3600 IN A 198.51.100.1",
	"d2.t.test. 3600 IN NS ns.example.net.",
	"m.t.test. 3600 IN A 192.0.2.11",
	"m.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 t.test. "
		"Od6cglSLETWHuGMmTNXOQzTgjd/JuViCOwel+N2kHhHOK3iLkqAbWGSw9OUDBFlqeDPx1Fyln7c7OUvXGkd1Bg==",
	"tkd7dl8ns7g07cl0gshofa64ookhnlpq.t.test. 300 IN NSEC3 1 1 0 aabbccdd "
		"25e41pap8nt2aikb9lk8g9cdg9pqavgo A RRSIG",
	"tkd7dl8ns7g07cl0gshofa64ookhnlpq.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"r3W5qpNURS3XJg5OcboKG45Vx1nysrB9RfU2HrD++0K+tIAljZKyODm29SoNzHdUXdImZ5yUUiIx9oolGcfcBA==",
	"ns1.t.test. 3600 IN A 192.0.2.1",
	"ns1.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"PVjLgPkxxmqNJ4dPd05aeYRsBOxZBywALEyvfwrqF6sWajwqtqDMtZGvWIAtlev0EYVJ0Vaxsz8tQRHalhGlDA==",
	"amek9eg1hvk244v958doembgfm07r2e7.t.test. 300 IN NSEC3 1 1 0 aabbccdd "
		"jsmqf7gbm0roi4v2f22ppvh3hs6ggqiv A RRSIG",
	"amek9eg1hvk244v958doembgfm07r2e7.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"E4+ujYdINXQ45iQOHmXenBmriT3Xu3p8rUf3s2ZqVI2AnleybkxVbMDCmK7dSQq4ecp4BJKZM54yj8zi7/rPAA==",
	"ns2.t.test. 3600 IN A 192.0.2.2",
	"ns2.t.test. 3600 IN RRSIG A 15 3 3600 20360101000000 20260101000000 44063 "
		"t.test. "
		"+zpMF++ZjqS4S4IcNpgKK8WVZeI1EJmqQQlkuHu+CG7kBRRvNHKmUbUqgMPQdhTM+J1jQ7/T2o9hsKNEgVpyDA==",
	"25e41pap8nt2aikb9lk8g9cdg9pqavgo.t.test. 300 IN NSEC3 1 1 0 aabbccdd "
		"2764npkei6pkkahbl2o22vk7g0a1d56j A RRSIG",
	"25e41pap8nt2aikb9lk8g9cdg9pqavgo.t.test. 300 IN RRSIG NSEC3 15 3 300 "
		"20360101000000 20260101000000 44063 t.test. "
		"FeMnB0PRtdzrXFmk7kLY1wuoOXNqpOUmmP9D8J6lwkMSO5p8n4xGPM0qcuUELk5tmZaCFBJowxDMwtQ2sgjnCw==",
	NULL,
};

/* ---- building packets from the canned zones ---- */

static ldns_rr_list *zone_load(const char *const *lines)
{
	ldns_rr_list *l = ldns_rr_list_new();
	for (size_t i = 0; lines[i]; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, lines[i], 3600, NULL, NULL), LDNS_STATUS_OK);
		ldns_rr_list_push_rr(l, rr);
	}
	return l;
}

static ldns_rdf *dn(const char *s)
{
	ldns_rdf *d = ldns_dname_new_frm_str(s);
	assert_non_null(d);
	return d;
}

static bool covers(const ldns_rr *sig, ldns_rr_type type)
{
	return ldns_rr_get_type(sig) == LDNS_RR_TYPE_RRSIG &&
	       ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)) == type;
}

/* the records of z at owner of type (and, with sigs, the RRSIGs over them)
 * into section sec of p */
static void add_rrs(ldns_pkt *p, ldns_pkt_section sec, const ldns_rr_list *z, const char *owner,
		    ldns_rr_type type, bool sigs)
{
	ldns_rdf *o = dn(owner);
	size_t n = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(z); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(z, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), o) != 0)
			continue;
		if (ldns_rr_get_type(rr) == type || (sigs && covers(rr, type))) {
			ldns_pkt_push_rr(p, sec, ldns_rr_clone(rr));
			n++;
		}
	}
	assert_true(n > 0);
	ldns_rdf_deep_free(o);
}
#define add(p, sec, z, owner, type) add_rrs(p, sec, z, owner, type, true)
#define add_unsigned(p, sec, z, owner, type) add_rrs(p, sec, z, owner, type, false)

static ldns_pkt *pkt(ldns_pkt_rcode rc, bool aa, const char *qname, ldns_rr_type qt)
{
	ldns_pkt *p = ldns_pkt_query_new(dn(qname), qt, LDNS_RR_CLASS_IN, 0);
	assert_non_null(p);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, aa);
	ldns_pkt_set_rcode(p, (uint8_t)rc);
	return p;
}

/* the zone's DNSKEY answer */
static ldns_pkt *dnskey_pkt(const ldns_rr_list *z)
{
	ldns_pkt *p = pkt(LDNS_RCODE_NOERROR, true, "t.test.", LDNS_RR_TYPE_DNSKEY);
	add(p, LDNS_SECTION_ANSWER, z, "t.test.", LDNS_RR_TYPE_DNSKEY);
	return p;
}

/* a fixture: a canned zone, its apex, its keys validated from the DS anchor */
struct fx {
	ldns_rr_list *z;
	ldns_rdf *apex;
	ldns_rr_list *keys;
	struct rtj_zone zone;
	char why[RTJ_WHY];
};

static struct fx *fx_new(const char *const *lines)
{
	static const char *const anchors[] = { ANCHOR_DS };
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	f->z = zone_load(lines);
	f->apex = dn("t.test.");
	ldns_pkt *p = dnskey_pkt(f->z);
	assert_int_equal(rtjudge_dnskey(f->apex, p, anchors, 1, NOW, &f->keys, f->why, sizeof f->why), 0);
	ldns_pkt_free(p);
	f->zone = (struct rtj_zone){ f->apex, true, f->keys, NOW };
	return f;
}

static void fx_free(struct fx *f)
{
	ldns_rr_list_deep_free(f->z);
	ldns_rr_list_deep_free(f->keys);
	ldns_rdf_deep_free(f->apex);
	free(f);
}

/* flip one bit in the signature of every RRSIG of section sec covering type */
static void break_sig(ldns_pkt *p, ldns_pkt_section sec, ldns_rr_type type)
{
	ldns_rr_list *l = sec == LDNS_SECTION_ANSWER ? ldns_pkt_answer(p) : ldns_pkt_authority(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		if (covers(rr, type)) {
			ldns_rdf *s = ldns_rr_rdf(rr, 8);
			ldns_rdf_data(s)[ldns_rdf_size(s) / 2] ^= 0x01;
		}
	}
}

/* ---- the DNSKEY RRset from the trust anchor ---- */

static void test_dnskey(void **state)
{
	ldns_rr_list *z = zone_load(zone_nsec), *keys = NULL;
	ldns_rdf *apex = dn("t.test.");
	char why[RTJ_WHY];
	const char *ds[] = { ANCHOR_DS }, *key[] = { ANCHOR_KEY };
	const char *wrong[] = { "t.test. IN DS 26358 15 2 "
				"0602956964ab653888fc8694b60b58dedd72d9f253e9ba3449f9798ef61405d1" };
	const char *zsk[] = { "t.test. IN DNSKEY 256 3 15 h9MOuFsRiPuWBUlOaBMr70X2sAMP93Ws67oMYtIWdFA=" };

	ldns_pkt *p = dnskey_pkt(z);
	assert_int_equal(rtjudge_dnskey(apex, p, ds, 1, NOW, &keys, why, sizeof why), 0);
	assert_non_null(strstr(why, "validated (key tag 26358)"));
	assert_int_equal(ldns_rr_list_rr_count(keys), 2);
	ldns_rr_list_deep_free(keys);
	/* the KSK itself as the anchor */
	assert_int_equal(rtjudge_dnskey(apex, p, key, 1, NOW, &keys, why, sizeof why), 0);
	ldns_rr_list_deep_free(keys);
	/* a DS of another key: nothing matches */
	assert_int_equal(rtjudge_dnskey(apex, p, wrong, 1, NOW, &keys, why, sizeof why), -1);
	assert_null(keys);
	assert_non_null(strstr(why, "matches the trust anchor"));
	/* an anchor naming the ZSK, which does not sign the DNSKEY RRset */
	assert_int_equal(rtjudge_dnskey(apex, p, zsk, 1, NOW, &keys, why, sizeof why), -1);
	assert_non_null(strstr(why, "not validated by the anchored key"));
	/* expired */
	assert_int_equal(rtjudge_dnskey(apex, p, ds, 1, LATE, &keys, why, sizeof why), -1);
	assert_non_null(strstr(why, "expired"));
	/* a signature altered */
	break_sig(p, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_DNSKEY);
	assert_int_equal(rtjudge_dnskey(apex, p, ds, 1, NOW, &keys, why, sizeof why), -1);
	assert_non_null(strstr(why, "does not validate"));
	ldns_pkt_free(p);
	/* not authoritative */
	p = dnskey_pkt(z);
	ldns_pkt_set_aa(p, false);
	assert_int_equal(rtjudge_dnskey(apex, p, ds, 1, NOW, &keys, why, sizeof why), -1);
	assert_non_null(strstr(why, "AA not set"));
	ldns_pkt_free(p);
	ldns_rdf_deep_free(apex);
	ldns_rr_list_deep_free(z);
	(void)state;
}

/* ---- apex answers ---- */

static void test_apex(void **state)
{
	struct fx *f = fx_new(zone_nsec);
	ldns_rr_list *set = NULL;
	ldns_pkt *p = pkt(LDNS_RCODE_NOERROR, true, "t.test.", LDNS_RR_TYPE_SOA);
	add(p, LDNS_SECTION_ANSWER, f->z, "t.test.", LDNS_RR_TYPE_SOA);
	assert_int_equal(rtjudge_apex(&f->zone, p, LDNS_RR_TYPE_SOA, &set, f->why, sizeof f->why), 0);
	assert_non_null(strstr(f->why, "RRSIG SOA validated (key tag 44063)"));
	assert_int_equal(ldns_rr_list_rr_count(set), 1);
	ldns_rr_list_deep_free(set);
	/* no trust anchor: not validated, and said so */
	struct rtj_zone nov = { f->apex, false, NULL, NOW };
	assert_int_equal(rtjudge_apex(&nov, p, LDNS_RR_TYPE_SOA, NULL, f->why, sizeof f->why), 0);
	assert_non_null(strstr(f->why, "not validated (no trust anchor)"));
	/* an anchor but no validated DNSKEY: bogus */
	struct rtj_zone bogus = { f->apex, true, NULL, NOW };
	assert_int_equal(rtjudge_apex(&bogus, p, LDNS_RR_TYPE_SOA, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "DNSKEY RRset did not validate"));
	/* the signature altered */
	break_sig(p, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_SOA);
	assert_int_equal(rtjudge_apex(&f->zone, p, LDNS_RR_TYPE_SOA, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "RRSIG SOA t.test. (key tag 44063) does not validate"));
	ldns_pkt_free(p);
	/* unsigned */
	p = pkt(LDNS_RCODE_NOERROR, true, "t.test.", LDNS_RR_TYPE_NS);
	add_unsigned(p, LDNS_SECTION_ANSWER, f->z, "t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_apex(&f->zone, p, LDNS_RR_TYPE_NS, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no RRSIG over NS t.test."));
	ldns_pkt_free(p);
	/* AA clear, REFUSED */
	p = pkt(LDNS_RCODE_NOERROR, false, "t.test.", LDNS_RR_TYPE_NS);
	add(p, LDNS_SECTION_ANSWER, f->z, "t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_apex(&f->zone, p, LDNS_RR_TYPE_NS, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "AA not set"));
	ldns_pkt_free(p);
	p = pkt(LDNS_RCODE_REFUSED, false, "t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_apex(&f->zone, p, LDNS_RR_TYPE_NS, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "rcode REFUSED"));
	ldns_pkt_free(p);
	fx_free(f);
	(void)state;
}

/* ---- NXDOMAIN proofs ---- */

static ldns_pkt *nx_pkt(const struct fx *f, const char *qname)
{
	ldns_pkt *p = pkt(LDNS_RCODE_NXDOMAIN, true, qname, LDNS_RR_TYPE_A);
	add(p, LDNS_SECTION_AUTHORITY, f->z, "t.test.", LDNS_RR_TYPE_SOA);
	return p;
}

static void test_nxdomain_nsec(void **state)
{
	struct fx *f = fx_new(zone_nsec);
	ldns_rdf *q = dn("b.t.test.");
	/* a.t.test. -> d1.t.test. covers b, t.test. -> a.t.test. covers *.t.test. */
	ldns_pkt *p = nx_pkt(f, "b.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "a.t.test.", LDNS_RR_TYPE_NSEC);
	add(p, LDNS_SECTION_AUTHORITY, f->z, "t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), 0);
	assert_non_null(strstr(f->why, "NSEC proof (2 NSEC) covers the name and the wildcard"));
	/* an NSEC signature altered */
	break_sig(p, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "RRSIG NSEC"));
	assert_non_null(strstr(f->why, "does not validate"));
	ldns_pkt_free(p);
	/* the wildcard not covered */
	p = nx_pkt(f, "b.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "a.t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "wildcard"));
	ldns_pkt_free(p);
	/* the name not covered: only the NSEC over the wildcard */
	p = nx_pkt(f, "b.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no NSEC covers b.t.test."));
	ldns_pkt_free(p);
	/* an NSEC unsigned */
	p = nx_pkt(f, "b.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "a.t.test.", LDNS_RR_TYPE_NSEC);
	add_unsigned(p, LDNS_SECTION_AUTHORITY, f->z, "t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no RRSIG over NSEC t.test."));
	ldns_pkt_free(p);
	/* the NSEC of the name itself: it exists, this is no NXDOMAIN proof */
	ldns_rdf *a = dn("a.t.test.");
	p = nx_pkt(f, "a.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "a.t.test.", LDNS_RR_TYPE_NSEC);
	add(p, LDNS_SECTION_AUTHORITY, f->z, "t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, a, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "the name exists"));
	ldns_pkt_free(p);
	ldns_rdf_deep_free(a);
	/* no proof at all; NOERROR; no SOA */
	p = nx_pkt(f, "b.t.test.");
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no NSEC or NSEC3"));
	ldns_pkt_set_rcode(p, LDNS_RCODE_NOERROR);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "rcode NOERROR, not NXDOMAIN"));
	ldns_pkt_free(p);
	p = pkt(LDNS_RCODE_NXDOMAIN, true, "b.t.test.", LDNS_RR_TYPE_A);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "without the zone's SOA"));
	ldns_pkt_free(p);
	ldns_rdf_deep_free(q);
	fx_free(f);
	(void)state;
}

/* the NSEC3 of z whose owner is not h but whose span covers h, or NULL */
static const ldns_rr *nsec3_cover(const ldns_rr_list *z, const ldns_rdf *h)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(z); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(z, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_NSEC3 &&
		    ldns_dname_compare(ldns_rr_owner(rr), h) != 0 && ldns_nsec_covers_name(rr, h))
			return rr;
	}
	return NULL;
}

static ldns_rdf *nsec3_hash(const ldns_rr_list *z, const char *name)
{
	const ldns_rr *n3 = NULL;
	for (size_t i = 0; !n3 && i < ldns_rr_list_rr_count(z); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(z, i)) == LDNS_RR_TYPE_NSEC3)
			n3 = ldns_rr_list_rr(z, i);
	ldns_rdf *d = dn(name), *apex = dn("t.test.");
	ldns_rdf *h = ldns_nsec3_hash_name_frm_nsec3(n3, d);
	assert_int_equal(ldns_dname_cat(h, apex), LDNS_STATUS_OK);
	ldns_rdf_deep_free(d);
	ldns_rdf_deep_free(apex);
	return h;
}

/* every NSEC3 of z (with its RRSIG) but `except` into the authority of p */
static void add_nsec3s(ldns_pkt *p, const ldns_rr_list *z, const ldns_rr *except)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(z); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(z, i);
		const ldns_rdf *o = ldns_rr_owner(rr);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC3 && !covers(rr, LDNS_RR_TYPE_NSEC3))
			continue;
		if (except && ldns_dname_compare(o, ldns_rr_owner(except)) == 0)
			continue;
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, ldns_rr_clone(rr));
	}
}

static void test_nxdomain_nsec3(void **state)
{
	static const char *const cands[] = { "b.t.test.", "c.t.test.", "x.t.test.", "zz.t.test.",
					     "q.t.test.", "k.t.test.", "e.t.test.", NULL };
	struct fx *f = fx_new(zone_nsec3);
	ldns_rdf *hw = nsec3_hash(f->z, "*.t.test.");
	const ldns_rr *wcover = nsec3_cover(f->z, hw), *ncover = NULL;
	const char *qn = NULL;
	assert_non_null(wcover);
	/* a name whose next closer (itself) is covered by another NSEC3 than the wildcard */
	for (size_t i = 0; cands[i] && !qn; i++) {
		ldns_rdf *h = nsec3_hash(f->z, cands[i]);
		ncover = nsec3_cover(f->z, h);
		if (ncover && ldns_dname_compare(ldns_rr_owner(ncover), ldns_rr_owner(wcover)) != 0)
			qn = cands[i];
		ldns_rdf_deep_free(h);
	}
	assert_non_null(qn);
	ldns_rdf *q = dn(qn);

	ldns_pkt *p = nx_pkt(f, qn);
	add_nsec3s(p, f->z, NULL);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), 0);
	assert_non_null(strstr(f->why, "closest encloser t.test., next closer and wildcard covered"));
	ldns_pkt_free(p);
	/* the next closer name not covered */
	p = nx_pkt(f, qn);
	add_nsec3s(p, f->z, ncover);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no closest encloser proof"));
	ldns_pkt_free(p);
	/* the wildcard not covered */
	p = nx_pkt(f, qn);
	add_nsec3s(p, f->z, wcover);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no NSEC3 covers the wildcard *.t.test."));
	ldns_pkt_free(p);
	/* an NSEC3 signature altered */
	p = nx_pkt(f, qn);
	add_nsec3s(p, f->z, NULL);
	break_sig(p, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC3);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, q, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "RRSIG NSEC3"));
	ldns_pkt_free(p);
	/* a name that exists (its NSEC3 matches) */
	ldns_rdf *a = dn("a.t.test.");
	p = nx_pkt(f, "a.t.test.");
	add_nsec3s(p, f->z, NULL);
	assert_int_equal(rtjudge_nxdomain(&f->zone, p, a, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "the name exists"));
	ldns_pkt_free(p);
	ldns_rdf_deep_free(a);
	ldns_rdf_deep_free(q);
	ldns_rdf_deep_free(hw);
	fx_free(f);
	(void)state;
}

/* ---- DS and the proof of no DS ---- */

static ldns_pkt *ds_pkt(const char *name)
{
	return pkt(LDNS_RCODE_NOERROR, true, name, LDNS_RR_TYPE_DS);
}

static void test_ds_nsec(void **state)
{
	struct fx *f = fx_new(zone_nsec);
	ldns_rdf *d1 = dn("d1.t.test."), *d2 = dn("d2.t.test.");
	ldns_rr_list *ds = NULL;
	/* d1 has a DS, signed */
	ldns_pkt *p = ds_pkt("d1.t.test.");
	add(p, LDNS_SECTION_ANSWER, f->z, "d1.t.test.", LDNS_RR_TYPE_DS);
	assert_int_equal(rtjudge_ds(&f->zone, p, d1, &ds, f->why, sizeof f->why), 0);
	assert_non_null(strstr(f->why, "1 DS, RRSIG DS validated"));
	assert_int_equal(ldns_rr_list_rr_count(ds), 1);
	ldns_rr_list_deep_free(ds);
	break_sig(p, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_DS);
	assert_int_equal(rtjudge_ds(&f->zone, p, d1, &ds, f->why, sizeof f->why), -1);
	assert_null(ds);
	ldns_pkt_free(p);
	/* d2 has none: NODATA with the NSEC of d2 (NS, no DS) */
	p = ds_pkt("d2.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "t.test.", LDNS_RR_TYPE_SOA);
	add(p, LDNS_SECTION_AUTHORITY, f->z, "d2.t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_ds(&f->zone, p, d2, &ds, f->why, sizeof f->why), 0);
	assert_null(ds);
	assert_non_null(strstr(f->why, "no DS, NSEC proof"));
	ldns_pkt_free(p);
	/* "no DS" for d1 with its NSEC, which lists DS */
	p = ds_pkt("d1.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "d1.t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_ds(&f->zone, p, d1, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "the NSEC of d1.t.test. lists DS"));
	ldns_pkt_free(p);
	/* NODATA for d2 proven with a covering NSEC, not its own */
	p = ds_pkt("d2.t.test.");
	add(p, LDNS_SECTION_AUTHORITY, f->z, "d1.t.test.", LDNS_RR_TYPE_NSEC);
	assert_int_equal(rtjudge_ds(&f->zone, p, d2, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no NSEC owned by d2.t.test."));
	ldns_pkt_free(p);
	/* no proof; not authoritative */
	p = ds_pkt("d2.t.test.");
	assert_int_equal(rtjudge_ds(&f->zone, p, d2, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no NSEC or NSEC3"));
	ldns_pkt_set_aa(p, false);
	assert_int_equal(rtjudge_ds(&f->zone, p, d2, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "d2.t.test.: AA not set"));
	ldns_pkt_free(p);
	ldns_rdf_deep_free(d1);
	ldns_rdf_deep_free(d2);
	fx_free(f);
	(void)state;
}

static void test_ds_nsec3(void **state)
{
	struct fx *f = fx_new(zone_nsec3), *o = fx_new(zone_optout);
	ldns_rdf *d1 = dn("d1.t.test."), *d2 = dn("d2.t.test.");
	ldns_rdf *h2 = nsec3_hash(f->z, "d2.t.test."), *h1 = nsec3_hash(f->z, "d1.t.test.");
	/* no opt-out: the NSEC3 of d2 matches, NS without DS */
	ldns_pkt *p = ds_pkt("d2.t.test.");
	add_nsec3s(p, f->z, NULL);
	assert_int_equal(rtjudge_ds(&f->zone, p, d2, NULL, f->why, sizeof f->why), 0);
	assert_non_null(strstr(f->why, "the NSEC3 of the name lists no DS"));
	ldns_pkt_free(p);
	/* d1's NSEC3 lists DS */
	p = ds_pkt("d1.t.test.");
	add_nsec3s(p, f->z, NULL);
	assert_int_equal(rtjudge_ds(&f->zone, p, d1, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "lists DS"));
	ldns_pkt_free(p);
	/* d2's own NSEC3 left out, and no opt-out in this zone: no proof */
	ldns_rr *own = NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(f->z) && !own; i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(f->z, i)) == LDNS_RR_TYPE_NSEC3 &&
		    ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(f->z, i)), h2) == 0)
			own = ldns_rr_list_rr(f->z, i);
	assert_non_null(own);
	p = ds_pkt("d2.t.test.");
	add_nsec3s(p, f->z, own);
	assert_int_equal(rtjudge_ds(&f->zone, p, d2, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no NSEC3 matches d2.t.test. and there is no closest "
				   "encloser proof"));
	ldns_pkt_free(p);
	/* opt-out: d2 (unsigned delegation) has no NSEC3; the opt-out span covers it */
	p = ds_pkt("d2.t.test.");
	add_nsec3s(p, o->z, NULL);
	assert_int_equal(rtjudge_ds(&o->zone, p, d2, NULL, f->why, sizeof f->why), 0);
	assert_non_null(strstr(f->why, "opt-out over the next closer name"));
	ldns_pkt_free(p);
	ldns_rdf_deep_free(h1);
	ldns_rdf_deep_free(h2);
	ldns_rdf_deep_free(d1);
	ldns_rdf_deep_free(d2);
	fx_free(f);
	fx_free(o);
	(void)state;
}

/* ---- referrals ---- */

static void test_referral(void **state)
{
	struct fx *f = fx_new(zone_nsec);
	struct rtj_delegs d;
	ldns_rr_list *ns = NULL;
	assert_int_equal(rtjudge_delegations(f->z, f->apex, 20, &d), 0);
	assert_int_equal(d.n, 2);
	const struct rtj_deleg *d1 = &d.v[0], *d2 = &d.v[1];

	ldns_pkt *p = pkt(LDNS_RCODE_NOERROR, false, "d1.t.test.", LDNS_RR_TYPE_NS);
	add_unsigned(p, LDNS_SECTION_AUTHORITY, f->z, "d1.t.test.", LDNS_RR_TYPE_NS);
	add(p, LDNS_SECTION_AUTHORITY, f->z, "d1.t.test.", LDNS_RR_TYPE_DS);
	add_unsigned(p, LDNS_SECTION_ADDITIONAL, f->z, "ns.d1.t.test.", LDNS_RR_TYPE_A);
	assert_int_equal(rtjudge_referral(&f->zone, p, d1, &ns, f->why, sizeof f->why), 0);
	assert_string_equal(f->why, "d1.t.test.: referral, 1 NS, glue for 1");
	assert_true(rtjudge_same(ns, d1->ns, f->why, sizeof f->why));
	ldns_rr_list_deep_free(ns);
	/* AA set */
	ldns_pkt_set_aa(p, true);
	assert_int_equal(rtjudge_referral(&f->zone, p, d1, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "NODATA with AA set"));
	ldns_pkt_free(p);
	/* in-bailiwick glue missing */
	p = pkt(LDNS_RCODE_NOERROR, false, "d1.t.test.", LDNS_RR_TYPE_NS);
	add_unsigned(p, LDNS_SECTION_AUTHORITY, f->z, "d1.t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_referral(&f->zone, p, d1, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no glue for ns.d1.t.test."));
	ldns_pkt_free(p);
	/* out-of-zone NS: no glue needed */
	p = pkt(LDNS_RCODE_NOERROR, false, "d2.t.test.", LDNS_RR_TYPE_NS);
	add_unsigned(p, LDNS_SECTION_AUTHORITY, f->z, "d2.t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_referral(&f->zone, p, d2, NULL, f->why, sizeof f->why), 0);
	ldns_pkt_free(p);
	/* the node does not have the delegation */
	p = pkt(LDNS_RCODE_NXDOMAIN, true, "d2.t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_referral(&f->zone, p, d2, &ns, f->why, sizeof f->why), -1);
	assert_null(ns);
	assert_string_equal(f->why, "d2.t.test.: rcode NXDOMAIN with AA set, not a referral (the "
			    "primary delegates it)");
	ldns_pkt_free(p);
	/* NS of another name only */
	p = pkt(LDNS_RCODE_NOERROR, false, "d2.t.test.", LDNS_RR_TYPE_NS);
	add_unsigned(p, LDNS_SECTION_AUTHORITY, f->z, "d1.t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_referral(&f->zone, p, d2, NULL, f->why, sizeof f->why), -1);
	assert_non_null(strstr(f->why, "no NS RRset for it"));
	ldns_pkt_free(p);
	rtjudge_delegs_free(&d);
	fx_free(f);
	(void)state;
}

/* ---- delegations and their sample ---- */

static void test_sample(void **state)
{
	size_t idx[20], again[20], n, m;
	rtjudge_sample(50, 20, idx, &n);
	assert_int_equal(n, 20);
	assert_int_equal(idx[0], 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(idx[i], i * 50 / 20);	/* evenly spaced */
		if (i)
			assert_true(idx[i] > idx[i - 1]);
	}
	assert_true(idx[19] < 50);
	rtjudge_sample(50, 20, again, &m);	/* deterministic */
	assert_int_equal(m, n);
	assert_memory_equal(idx, again, sizeof idx);
	rtjudge_sample(7, 20, idx, &n);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(idx[i], i);
	rtjudge_sample(21, 20, idx, &n);
	assert_int_equal(n, 20);
	assert_int_equal(idx[19], 19 * 21 / 20);
	rtjudge_sample(0, 20, idx, &n);
	assert_int_equal(n, 0);
	(void)state;
}

static void test_delegations(void **state)
{
	static const char *const extra[] = {
		"t.test. 3600 IN NS ns1.t.test.",
		"c.t.test. 3600 IN NS ns.c.t.test.",
		"c.t.test. 3600 IN NS ns.example.net.",
		"ns.c.t.test. 3600 IN A 192.0.2.3",
		"ns.c.t.test. 3600 IN AAAA 2001:db8::3",
		"below.c.t.test. 3600 IN NS ns.x.",	/* occluded: not a cut */
		"B.t.test. 3600 IN NS ns.b.t.test.",
		"B.t.test. 3600 IN DS 1 13 2 0000000000000000000000000000000000000000000000000000000000000000",
		"a.t.test. 3600 IN A 192.0.2.4",
		NULL,
	};
	ldns_rr_list *z = zone_load(extra);
	ldns_rdf *apex = dn("t.test.");
	struct rtj_delegs d;
	char nb[64];
	assert_int_equal(rtjudge_delegations(z, apex, 20, &d), 0);
	assert_int_equal(d.total, 2);
	assert_int_equal(d.n, 2);
	/* canonical order: b before c */
	char *s = ldns_rdf2str(d.v[0].name);
	snprintf(nb, sizeof nb, "%s", s);
	free(s);
	assert_string_equal(nb, "B.t.test.");
	assert_int_equal(ldns_rr_list_rr_count(d.v[0].ds), 1);
	assert_int_equal(ldns_rr_list_rr_count(d.v[0].glue), 0);
	assert_int_equal(ldns_rr_list_rr_count(d.v[1].ns), 2);
	assert_int_equal(ldns_rr_list_rr_count(d.v[1].ds), 0);
	assert_int_equal(ldns_rr_list_rr_count(d.v[1].glue), 2);
	rtjudge_delegs_free(&d);
	/* a sample of 1: the first */
	assert_int_equal(rtjudge_delegations(z, apex, 1, &d), 0);
	assert_int_equal(d.total, 2);
	assert_int_equal(d.n, 1);
	rtjudge_delegs_free(&d);
	ldns_rdf_deep_free(apex);
	ldns_rr_list_deep_free(z);
	(void)state;
}

/* ---- NSID, service-ns, comparing with the primary ---- */

static void test_nsid(void **state)
{
	static const uint8_t opt[] = { 0, 3, 0, 7, 'n', 'o', 'd', 'e', '-', 'a', 1,
				       0, 10, 0, 0 };	/* NSID "node-a\001", then a COOKIE-ish option */
	char nsid[64];
	ldns_pkt *p = pkt(LDNS_RCODE_NOERROR, true, "t.test.", LDNS_RR_TYPE_SOA);
	assert_int_equal(rtjudge_nsid(p, nsid, sizeof nsid), -1);
	ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, sizeof opt, opt));
	assert_int_equal(rtjudge_nsid(p, nsid, sizeof nsid), 0);
	assert_string_equal(nsid, "node-a\\001");
	ldns_pkt_free(p);
	(void)state;
}

static void test_service_ns(void **state)
{
	struct fx *f = fx_new(zone_nsec);
	char *ok[] = { "ns1.t.test.", "NS2.T.TEST." }, *bad[] = { "ns1.t.test.", "ns.cloud.example." };
	ldns_pkt *p = pkt(LDNS_RCODE_NOERROR, true, "t.test.", LDNS_RR_TYPE_NS);
	ldns_rr_list *ns = NULL;
	add(p, LDNS_SECTION_ANSWER, f->z, "t.test.", LDNS_RR_TYPE_NS);
	assert_int_equal(rtjudge_apex(&f->zone, p, LDNS_RR_TYPE_NS, &ns, f->why, sizeof f->why), 0);
	assert_int_equal(rtjudge_service_ns(ns, ok, 2, f->why, sizeof f->why), 0);
	assert_int_equal(rtjudge_service_ns(ns, bad, 2, f->why, sizeof f->why), -1);
	assert_string_equal(f->why, "the apex NS set (ns1.t.test. ns2.t.test.) does not list "
			    "ns.cloud.example.");
	ldns_rr_list_deep_free(ns);
	ldns_pkt_free(p);
	fx_free(f);
	(void)state;
}

static void test_same(void **state)
{
	static const char *const a[] = {
		"d.t.test. 300 IN NS NS.d.t.test.",
		"d.t.test. 300 IN NS ns2.example.",
		NULL,
	}, *const b[] = {
		"D.t.test. 86400 IN NS ns2.example.",
		"d.t.test. 86400 IN NS ns.d.t.test.",
		NULL,
	}, *const c[] = {
		"d.t.test. 86400 IN NS ns.d.t.test.",
		"d.t.test. 86400 IN NS ns3.example.",
		NULL,
	};
	ldns_rr_list *la = zone_load(a), *lb = zone_load(b), *lc = zone_load(c);
	char why[RTJ_WHY];
	assert_true(rtjudge_same(la, lb, why, sizeof why));	/* TTL and case aside */
	assert_false(rtjudge_same(la, lc, why, sizeof why));
	assert_string_equal(why, "only the node has NS ns2.example.; only the primary has NS "
			    "ns3.example.");
	assert_false(rtjudge_same(NULL, lc, why, sizeof why));
	assert_true(rtjudge_same(NULL, NULL, why, sizeof why));
	ldns_rr_list_deep_free(la);
	ldns_rr_list_deep_free(lb);
	ldns_rr_list_deep_free(lc);
	(void)state;
}

/* ---- the report ---- */

static char *text_of(const struct rt_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	rtreport_text(f, r);
	fclose(f);
	return buf;
}

static void test_report(void **state)
{
	struct rt_report r;
	rtreport_init(&r, "br.");
	/* nothing answered */
	rtreport_add(&r, "192.0.2.53@53", "reach", RT_FAIL, "timeout");
	assert_true(rtreport_unreachable(&r));
	assert_false(rtreport_passed(&r));
	assert_int_equal(rtreport_exit(&r), 3);
	rtreport_free(&r);

	rtreport_init(&r, "br.");
	rtreport_fact(&r, "primary", "192.0.2.1@53: serial %u", 5u);
	r.answered = 1;
	rtreport_add(&r, "192.0.2.53@53", "reach", RT_OK, "answered in %d ms", 3);
	rtreport_add(&r, "192.0.2.53@53", "service-ns", RT_SKIP, "no \"service-ns\"");
	assert_true(rtreport_passed(&r));
	assert_int_equal(rtreport_exit(&r), 0);
	char *t = text_of(&r);
	assert_non_null(strstr(t, "resolution trial of br.\n  primary  192.0.2.1@53: serial 5\n"));
	assert_non_null(strstr(t, "ok      reach       192.0.2.53@53  answered in 3 ms\n"));
	assert_non_null(strstr(t, "skipped service-ns  192.0.2.53@53  no \"service-ns\"\n"));
	assert_non_null(strstr(t, "verdict: PASS (1 ok, 1 skipped)\n"));
	free(t);
	/* two failures of one check and one of another: each named once */
	struct rt_check *c = rtreport_add(&r, "192.0.2.53@53", "referrals", RT_FAIL,
					  "2 of 20 delegations wrong:\nfirst");
	rtreport_detail(c, "a.br.: AA set");
	rtreport_detail(c, "b.br.: NXDOMAIN");
	rtreport_add(&r, "[2001:db8::53]@53", "referrals", RT_FAIL, "x");
	rtreport_add(&r, "[2001:db8::53]@53", "soa", RT_FAIL, "y");
	assert_false(rtreport_passed(&r));
	assert_int_equal(rtreport_exit(&r), 1);
	assert_int_equal(rtreport_count(&r, RT_FAIL), 3);
	t = text_of(&r);
	assert_non_null(strstr(t, "verdict: FAIL (referrals, soa); 1 ok, 3 failed, 1 skipped\n"));
	assert_non_null(strstr(t, "wrong: first"));	/* one line: the newline is gone */
	free(t);
	json_object *j = rtreport_json(&r);
	const char *js = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
	assert_non_null(strstr(js, "\"ok\":false,\"zone\":\"br.\",\"verdict\":\"fail\""));
	assert_non_null(strstr(js, "\"failed\":3"));
	assert_non_null(strstr(js, "\"facts\":{\"primary\":\"192.0.2.1@53: serial 5\"}"));
	assert_non_null(strstr(js, "\"details\":[\"a.br.: AA set\",\"b.br.: NXDOMAIN\"]"));
	assert_non_null(strstr(js, "{\"server\":\"192.0.2.53@53\",\"check\":\"service-ns\","
			       "\"status\":\"skipped\""));
	json_object_put(j);
	rtreport_free(&r);

	/* only skipped checks: no verdict of PASS */
	rtreport_init(&r, "br.");
	r.answered = 1;
	rtreport_add(&r, "", "dnskey", RT_SKIP, "no trust anchor");
	assert_false(rtreport_passed(&r));
	assert_int_equal(rtreport_exit(&r), 1);
	t = text_of(&r);
	assert_non_null(strstr(t, "verdict: FAIL: no check could run; 0 ok, 0 failed, 1 skipped\n"));
	free(t);
	rtreport_free(&r);
	(void)state;
}

/* ---- the "service-ns" zone key ---- */

#define CFG_HEAD "{\n\"node\": { \"identity\": \"n1\" },\n" \
	"\"dnsd\": { \"listen\": [\"127.0.0.1@5353\"] },\n" \
	"\"zones\": [ { \"name\": \"br\", \"primaries\": [\"192.0.2.10\"]"

static void cfg_bad(const char *text, const char *want)
{
	struct raiz_config *cfg = NULL;
	char err[512];
	assert_int_equal(config_load_string("t.json", text, &cfg, err, sizeof err), -1);
	assert_null(cfg);
	if (!strstr(err, want))
		print_error("error \"%s\" lacks \"%s\"\n", err, want);
	assert_non_null(strstr(err, want));
}

static void test_config_service_ns(void **state)
{
	struct raiz_config *cfg = NULL;
	char err[512];
	assert_int_equal(config_load_string("t.json", CFG_HEAD ",\n\"service-ns\": [\"a.dns.br\", "
					    "\"B.DNS.example.\"] } ]\n}\n", &cfg, err, sizeof err), 0);
	const struct cfg_zone *z = config_zone(cfg, "br.");
	assert_non_null(z);
	assert_int_equal(z->nservice_ns, 2);
	assert_string_equal(z->service_ns[0], "a.dns.br.");	/* made absolute */
	assert_string_equal(z->service_ns[1], "B.DNS.example.");
	config_free(cfg);
	/* absent: none (the trial reports the check skipped) */
	assert_int_equal(config_load_string("t.json", CFG_HEAD " } ]\n}\n", &cfg, err, sizeof err), 0);
	assert_int_equal(config_zone(cfg, "br.")->nservice_ns, 0);
	assert_null(config_zone(cfg, "br.")->service_ns);
	config_free(cfg);
	/* a file zone may have it too */
	assert_int_equal(config_load_string("t.json", "{\n\"node\": { \"identity\": \"n1\" },\n"
					    "\"dnsd\": { \"listen\": [\"127.0.0.1@5353\"] },\n"
					    "\"zones\": [ { \"name\": \"br\", \"file\": \"/z/br.zone\", "
					    "\"service-ns\": [\"a.dns.br.\"] } ]\n}\n", &cfg, err,
					    sizeof err), 0);
	assert_int_equal(config_zone(cfg, "br.")->nservice_ns, 1);
	config_free(cfg);
	cfg_bad(CFG_HEAD ",\n\"service-ns\": [\"a..br\"] } ]\n}\n",
		"t.json:5: \"service-ns\": \"a..br\" is not a domain name: empty label");
	cfg_bad(CFG_HEAD ",\n\"service-ns\": [\"a.dns.br\",\n\"A.dns.br.\"] } ]\n}\n",
		"t.json:6: zone br.: service-ns A.dns.br. given twice");
	cfg_bad(CFG_HEAD ",\n\"service-ns\": [] } ]\n}\n", "t.json:5: zone br.: \"service-ns\" is empty");
	cfg_bad(CFG_HEAD ",\n\"service-ns\": [null] } ]\n}\n", "t.json:5: \"service-ns\": element 1 is null");
	cfg_bad(CFG_HEAD ",\n\"service-ns\": [53] } ]\n}\n", "t.json:5: \"service-ns\"");
	cfg_bad(CFG_HEAD ",\n\"service-ns\": \"a.dns.br\" } ]\n}\n", "t.json:5: \"service-ns\"");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dnskey),
		cmocka_unit_test(test_apex),
		cmocka_unit_test(test_nxdomain_nsec),
		cmocka_unit_test(test_nxdomain_nsec3),
		cmocka_unit_test(test_ds_nsec),
		cmocka_unit_test(test_ds_nsec3),
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_delegations),
		cmocka_unit_test(test_nsid),
		cmocka_unit_test(test_service_ns),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_config_service_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
