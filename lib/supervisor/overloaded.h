// The usual helper for std::visit with one lambda per alternative.
#pragma once

namespace supd::supervisor {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace supd::supervisor
