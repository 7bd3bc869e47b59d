package cases

import "context"

// demoClaimPost is the (fictional) social-network post of the demo's
// false-report story: the demo site's article 240116 reports it as false.
const demoClaimPost = "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, biên giới đã bị phong tỏa, người dân không được qua lại. " +
	"Bà con tích trữ hàng hóa ngay! (bài đăng trên mạng xã hội, không tải được: nội dung dán tay)"

// SeedDemo opens, when there is no case yet, the demo's case on its
// false-report story: the pasted post, owned by the user "demo". The crawl
// then attaches the demo site's article on it (the case rule) and the case
// page shows the spread.
func (s *Service) SeedDemo(ctx context.Context) error {
	list, _, err := s.List(ctx, Filter{})
	if err != nil || len(list) > 0 {
		return err
	}
	_, _, err = s.Open(ctx, Intake{By: "demo", Owner: "demo", Severity: "high",
		Claim: "Cửa khẩu phụ Khẹo bị đóng cửa vô thời hạn, người dân không được qua lại", Text: demoClaimPost,
		Topics: []string{"border", "disinfo"}, Communes: []string{"Bát Mọt", "Yên Nhân (cũ)"}})
	return err
}
