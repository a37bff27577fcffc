package web

import (
	"fmt"
	"net"
	"strings"
)

// IsLoopback says whether a listen address (host:port) only accepts connections from this machine. An empty host
// (":8080") listens on every interface; a host name other than localhost may resolve to anything.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckExposure decides whether serve may listen on addr. On a loopback address anything goes. Elsewhere, without
// a token, the vendor-level page would be open to the network with nobody able to see people's data through it —
// and an operator who meant to protect it would not notice; so it is refused unless allowPublic says the exposure
// is intended, and then a warning is returned for the log.
func CheckExposure(addr string, hasToken, allowPublic bool) (warning string, err error) {
	if IsLoopback(addr) {
		return "", nil
	}
	if hasToken {
		return fmt.Sprintf("serving on %s, reachable from other machines; people's names and emails need the token", addr), nil
	}
	if !allowPublic {
		return "", fmt.Errorf("--addr %s is reachable from other machines and no --token-file is given; "+
			"give --token-file (recommended), listen on 127.0.0.1, or pass --allow-public-without-token if anyone "+
			"who can reach this address may see the page", addr)
	}
	return fmt.Sprintf("SERVING WITHOUT A TOKEN ON %s: anyone who can reach this address sees the page and the "+
		"vendor inventory (--allow-public-without-token); people's names and emails stay hidden", addr), nil
}
