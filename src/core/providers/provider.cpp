#include "core/providers/provider.hpp"

namespace rolloy::providers {

std::string ProviderConfig::option(const std::string &key, std::string fallback) const {
    const auto it = options.find(key);
    return it == options.end() ? fallback : it->second;
}

Action Action::send(HttpRequest request, std::int64_t delay_ms) {
    Action a;
    a.type = Type::Send;
    a.request = std::move(request);
    a.delay_ms = delay_ms;
    return a;
}

Action Action::finish(Outcome outcome) {
    Action a;
    a.type = Type::Finish;
    a.outcome = std::move(outcome);
    return a;
}

} // namespace rolloy::providers
