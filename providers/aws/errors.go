package aws

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// isAccessDenied says whether err is a permission error (the caller lacks an IAM action or an SCP denies it).
func isAccessDenied(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	c := ae.ErrorCode()
	return strings.HasPrefix(c, "AccessDenied") || c == "UnauthorizedOperation" || c == "UnauthorizedException" ||
		c == "AuthorizationError"
}
